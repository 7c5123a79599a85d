import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres.js';

const root = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * As root, PostgreSQL runs as the postgres user. A data directory that user cannot reach (inside a
 * 0700 directory, like a project under /root) gets its cluster relocated and linked, and the same
 * cluster is found again on the next start.
 */
(root ? describe : describe.skip)('embedded PostgreSQL in a directory the postgres user cannot reach', () => {
  it('starts, keeps its data across a restart, through the link', async () => {
    const privateDir = mkdtempSync(path.join(os.tmpdir(), 'zentra-private-')); // mode 0700
    const dataDir = path.join(privateDir, 'pg');
    let target: string | null = null;
    try {
      const first = await startEmbeddedPostgres({ dataDir });
      expect(lstatSync(dataDir).isSymbolicLink()).toBe(true);
      target = readlinkSync(dataDir);
      const pool = new Pool({ connectionString: first.url('postgres'), max: 1 });
      await pool.query('create table kept (x int)');
      await pool.query('insert into kept values (42)');
      await pool.end();
      await first.stop();

      const second = await startEmbeddedPostgres({ dataDir });
      const again = new Pool({ connectionString: second.url('postgres'), max: 1 });
      expect((await again.query('select x from kept')).rows).toEqual([{ x: 42 }]);
      await again.end();
      await second.stop();
    } finally {
      rmSync(privateDir, { recursive: true, force: true });
      if (target) rmSync(path.dirname(target), { recursive: true, force: true });
    }
  }, 60_000);
});

describe('embedded PostgreSQL connections', () => {
  async function serverAddress(url: string): Promise<string | null> {
    const pool = new Pool({ connectionString: url, max: 1 });
    try {
      return (await pool.query('select inet_server_addr()::text as addr')).rows[0].addr;
    } finally {
      await pool.end();
    }
  }

  async function withCluster(dataDir: string, check: (url: string) => Promise<void>): Promise<void> {
    const instance = await startEmbeddedPostgres({ dataDir });
    try {
      await check(instance.url('postgres'));
    } finally {
      await instance.stop();
    }
  }

  it('go through the Unix socket in the cluster directory (TCP on 127.0.0.1 stays open)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zl-sock-'));
    chmodSync(dir, 0o755);
    try {
      await withCluster(path.join(dir, 'pg'), async (url) => {
        expect(new URL(url).searchParams.get('host')).toBe(path.join(dir, 'pg'));
        expect(await serverAddress(url)).toBeNull(); // null: a Unix-socket connection
        const tcp = new URL(url);
        tcp.search = '';
        expect(await serverAddress(tcp.toString())).toBe('127.0.0.1/32');
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it.each([
    ['the directory name has a list separator or a quote for unix_socket_directories', 'ledger,"eu"'],
    ['the socket path would be too long for the kernel', 'a-directory-name-long-enough-that-a-socket-path-inside-it-exceeds-108-bytes'],
  ])('fall back to TCP when %s', async (_why, name) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zl-sock-'));
    chmodSync(dir, 0o755);
    const parent = path.join(dir, name);
    mkdirSync(parent, { mode: 0o755 });
    try {
      await withCluster(path.join(parent, 'pg'), async (url) => {
        expect(new URL(url).searchParams.has('host')).toBe(false);
        expect(await serverAddress(url)).toBe('127.0.0.1/32');
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
