import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `npm run bench [name...]`: runs each benchmark in its own process and prints its table. */
const BENCHMARKS = ['throughput', 'replay', 'rebuild', 'policies', 'observability', 'console'];
const here = path.dirname(fileURLToPath(import.meta.url));
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : BENCHMARKS;
for (const name of chosen) {
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(process.execPath, [path.join(here, `${name}.bench.js`)], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
