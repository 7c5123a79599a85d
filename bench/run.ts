import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench [name...] [-- --json]`: runs each benchmark in its own process and prints its
 * table. With --json the output ends with one JSON object holding every benchmark's figures and
 * their references (each benchmark's `report` in support.ts), so that a program can compare runs.
 */
const BENCHMARKS = ['throughput', 'processes', 'replay', 'rebuild', 'policies', 'observability', 'console'];
const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const json = args.includes('--json');
const named = args.filter((arg) => arg !== '--json');
const chosen = named.length ? named : BENCHMARKS;
const dir = mkdtempSync(path.join(os.tmpdir(), 'zentra-bench-json-'));
const figuresFile = path.join(dir, 'figures.jsonl');
for (const name of chosen) {
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(process.execPath, [path.join(here, `${name}.bench.js`)], { stdio: 'inherit', env: { ...process.env, BENCH_JSON_FILE: figuresFile } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
if (json) {
  let lines: string[] = [];
  try {
    lines = readFileSync(figuresFile, 'utf8').split('\n').filter(Boolean);
  } catch {
    // No benchmark reported a figure.
  }
  const benchmarks: Record<string, unknown> = {};
  for (const line of lines) {
    const { benchmark, figures } = JSON.parse(line) as { benchmark: string; figures: Record<string, unknown> };
    benchmarks[benchmark] = { ...(benchmarks[benchmark] as object | undefined), ...figures };
  }
  const environment = { node: process.version, cpus: os.cpus().length, load_average_1m: os.loadavg()[0], bench_events: process.env.BENCH_EVENTS ?? null };
  console.log(JSON.stringify({ measured_at: new Date().toISOString(), environment, benchmarks }));
}
rmSync(dir, { recursive: true, force: true });
