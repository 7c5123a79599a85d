import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createPool } from './database.js';
import { EmbeddedPostgresInstance, startEmbeddedPostgres } from './embedded-postgres.js';
import { isConnectionError } from './errors.js';

/** How long a killed postmaster may take to be back (WAL recovery of a small cluster takes well under a second). */
const RECOVERY_BOUND_MS = 30_000;
const POLL_MS = 100;

/** One query on one connection, closed before returning. */
async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Polls `sql` until it succeeds; throws with the last error once RECOVERY_BOUND_MS has passed. */
async function queryWhenBack(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + RECOVERY_BOUND_MS;
  for (;;) {
    try {
      return await query(url, sql);
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`no answer within ${RECOVERY_BOUND_MS} ms of the kill: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

/**
 * The embedded supervisor (libs/database/src/embedded-postgres.ts): a postmaster killed with
 * kill -9 is started again on the same data directory and port, and its data (WAL-recovered) is
 * there; a postmaster we stop ourselves stays stopped.
 */
describe('the embedded PostgreSQL supervisor', () => {
  let dir: string;
  let lines: string[];
  let instance: EmbeddedPostgresInstance | null;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'zl-supervisor-'));
    chmodSync(dir, 0o755); // PostgreSQL runs as the postgres user when we are root
    lines = [];
    instance = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), log: (line) => lines.push(line) });
  });

  afterEach(async () => {
    await instance?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarts a postmaster killed with kill -9 on the same port; committed data and an open pool come back', async () => {
    const url = instance!.url('postgres');
    await query(url, 'create table kept (x int); insert into kept values (42)');
    const pool = createPool(url, 2);
    try {
      expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      const killed = instance!.postmasterPid()!;
      process.kill(killed, 'SIGKILL');

      expect(await queryWhenBack(url, 'select x from kept')).toEqual([{ x: 42 }]);
      expect(instance!.restarts()).toBe(1);
      expect(instance!.postmasterPid()).not.toBe(killed);
      expect(lines.join('\n')).toContain(`PostgreSQL (pid ${killed}) exited unexpectedly (signal SIGKILL): restarting it`);
      expect(lines.join('\n')).toMatch(/PostgreSQL restarted \(pid \d+\) after \d+ ms/);
      // The pool's connection from before the kill is broken: its query fails as a connection error
      // (a 503 upstream), and the pool drops it; the next query gets a new connection.
      const first = await pool.query('select 1 as one').then(() => null, (error: unknown) => error);
      if (first !== null) expect(isConnectionError(first)).toBe(true);
      expect((await pool.query('select x from kept')).rows).toEqual([{ x: 42 }]);
    } finally {
      await pool.end();
    }
  }, 60_000);

  it('does not restart a postmaster it stops itself', async () => {
    const url = instance!.url('postgres');
    await instance!.stop();
    // stop() returns after the exit, whose handler has run by then: nothing was started again.
    expect(instance!.postmasterPid()).toBeNull();
    expect(instance!.restarts()).toBe(0);
    await expect(query(url, 'select 1')).rejects.toThrow();
    expect(lines.join('\n')).not.toContain('restarting');
    instance = null;
  }, 60_000);
});
