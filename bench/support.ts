import { appendFileSync, chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPool, ensureDatabase, runMigrations, startEmbeddedPostgres } from '#database/index.js';
import { ALL_MIGRATIONS } from '#schema/index.js';
import { Pool } from 'pg';

/** A fresh embedded PostgreSQL (or DATABASE_URL) with the schema, for one benchmark run. */
export async function benchDatabase(): Promise<{ pool: Pool; url: string; close: () => Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const url = process.env.DATABASE_URL;
    await runMigrations(url, ALL_MIGRATIONS);
    const pool = createPool(url, 8);
    return { pool, url, close: () => pool.end() };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zentra-bench-'));
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') });
  await ensureDatabase(pg.url('postgres'), 'bench');
  const url = pg.url('bench');
  await runMigrations(url, ALL_MIGRATIONS);
  const pool = createPool(url, 8);
  return {
    pool,
    url,
    close: async () => {
      await pool.end();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function table(rows: Record<string, string | number>[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ');
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => String(r[c] ?? ''))))].join('\n');
}

let seed = 42;
const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;

/** A two-entry posting between random accounts (a fixed seed: every run posts the same); `hot` is always debited when given. */
export function posting(accounts: string[], hot: string | null = null) {
  const from = hot ?? accounts[random(accounts.length)];
  let to = accounts[random(accounts.length)];
  if (to === from) to = accounts[(accounts.indexOf(to) + 1) % accounts.length];
  const amount = String(1 + random(1000));
  return { entries: [{ account_id: from, direction: 'debit', amount }, { account_id: to, direction: 'credit', amount }] };
}

/**
 * Keeps one benchmark's figures for `npm run bench -- --json`: appended, as one JSON line, to the
 * file run.ts names in BENCH_JSON_FILE (nothing when it names none).
 */
export function report(benchmark: string, figures: Record<string, number | string | null>): void {
  const file = process.env.BENCH_JSON_FILE;
  if (file) appendFileSync(file, `${JSON.stringify({ benchmark, figures })}\n`);
}

/** CPU (ms) of the embedded PostgreSQL started by process `servicePid`: its postmaster (with reaped children) and live backends. */
export function postgresCpuMs(servicePid: number): number {
  const stats = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((pid) => {
      try {
        const [head, tail] = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ');
        const fields = tail.split(' ');
        return { pid: Number(pid), comm: head.split(' (')[1], ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), children: Number(fields[13]) + Number(fields[14]) };
      } catch {
        return null; // exited meanwhile
      }
    })
    .filter((s) => s !== null);
  const postmasters = new Set(stats.filter((s) => s.ppid === servicePid && s.comm === 'postgres').map((s) => s.pid));
  const ticks = stats.reduce((sum, s) => sum + (postmasters.has(s.pid) ? s.ticks + s.children : postmasters.has(s.ppid) ? s.ticks : 0), 0);
  return ticks * 10;
}
