import { lstatSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
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
