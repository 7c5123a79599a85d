/** `--name value` and `--flag` pairs after the command words. */
export function parseArgs(argv: string[]): { words: string[]; options: Record<string, string | true> } {
  const words: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      const name = arg.slice(2);
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        options[name] = next;
        i++;
      } else options[name] = true;
    } else words.push(arg);
  }
  return { words, options };
}

export class UsageError extends Error {}

export function requireOption(options: Record<string, string | true>, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} <value> is required`);
  return value;
}
