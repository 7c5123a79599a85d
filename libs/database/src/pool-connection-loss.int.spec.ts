import { spawn } from 'node:child_process';
import pg from 'pg';

/**
 * A connection lost while a client of the pool is checked out (held between queries, as a
 * transaction or a lock holder does) must not kill the process: a PostgreSQL restart under the
 * service did (every checked-out client got "terminating connection" and nobody listened). Run in
 * a child process, so that an unhandled 'error' shows as its exit, not as a crash of the test runner.
 */
const CHILD = `
const { createPool } = await import(process.env.DATABASE_MODULE);
const pool = createPool(process.env.DATABASE_URL, 1);
const client = await pool.connect();
const { rows } = await client.query('select pg_backend_pid() as pid');
// Only the socket is watched here (not the client's errors): the pool alone must handle those.
client.connection.stream.once('close', () => setTimeout(async () => {
  const refused = await client.query('select 1').then(() => 'answered', (error) => error.message);
  console.log('held client: ' + refused);
  client.release();
  const { rows } = await pool.query('select 1 as one');
  console.log('pool answered ' + rows[0].one);
  await pool.end();
}, 0));
console.log('backend ' + rows[0].pid);
`;

describe('a pool whose checked-out connection is lost', () => {
  it('keeps the process alive; the held client fails its next query, and the pool answers on a new connection', async () => {
    const url = process.env.TEST_DATABASE_ADMIN_URL!;
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      env: { ...process.env, DATABASE_URL: url, DATABASE_MODULE: new URL('./database.js', import.meta.url).href },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const backend = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', () => {
        const match = /backend (\d+)/.exec(output);
        if (match) resolve(match[1]);
      });
      child.once('exit', () => reject(new Error(`the child exited before connecting:\n${output}`)));
    });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      expect((await admin.query('select pg_terminate_backend($1) as done', [backend])).rows).toEqual([{ done: true }]);
    } finally {
      await admin.end();
    }
    expect({ code: await exited, output }).toEqual({ code: 0, output: expect.stringContaining('pool answered 1') });
    expect(output).toMatch(/held client: .*(terminat|not queryable|Connection terminated)/i);
  }, 30_000);
});
