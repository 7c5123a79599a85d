/** Lines kept for a test to read (the newest); every line is checked for secrets as it is written, kept or not. */
const LOG_LINES_KEPT_MAX = 20_000;
/** How much of an offending line an error shows (with the secret masked). */
const OFFENCE_PREVIEW_CHARS = 300;

/** What no log line may ever hold: API keys, webhook secrets (by their shapes), and the given tokens and keys. */
const SECRET_SHAPES = [/zl_[A-Za-z0-9_-]{43}/, /whsec_[A-Za-z0-9_-]{16,}/];

/**
 * A pino destination that keeps a process's log lines in memory and checks each one for
 * secrets as it is written. TestLedger writes every service's log here at debug level, so the
 * whole e2e suite's log is checked: `stop()` fails the test whose service logged a secret.
 */
export class LogSink {
  readonly lines: string[] = [];
  readonly offences: string[] = [];

  private readonly secrets: string[];

  constructor(secrets: string[]) {
    this.secrets = secrets.filter((secret) => secret.length > 0);
  }

  write(chunk: string): void {
    for (const line of chunk.split('\n')) {
      if (!line) continue;
      const found = this.secretIn(line);
      if (found) this.offences.push(line.split(found).join('[SECRET]').slice(0, OFFENCE_PREVIEW_CHARS));
      this.lines.push(line);
      if (this.lines.length > LOG_LINES_KEPT_MAX) this.lines.shift();
    }
  }

  /** The kept lines as objects. */
  entries(): Record<string, any>[] {
    return this.lines.map((line) => JSON.parse(line));
  }

  private secretIn(line: string): string | null {
    for (const secret of this.secrets) if (secret && line.includes(secret)) return secret;
    for (const shape of SECRET_SHAPES) {
      const match = shape.exec(line);
      if (match) return match[0];
    }
    return null;
  }

  /** Throws naming the lines that held a secret (masked). */
  assertNoSecrets(): void {
    if (this.offences.length > 0) throw new Error(`the service logged a secret in ${this.offences.length} line(s):\n${this.offences.slice(0, 5).join('\n')}`);
  }
}
