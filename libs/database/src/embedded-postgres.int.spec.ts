// Over 300 lines on purpose: the cases share one real database set up once per file.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from './config.js';
import { openDatabase } from './database.js';
import { publicCopyOf, startEmbeddedPostgres } from './embedded-postgres.js';
import { identifyPostmaster } from './postmaster-process.js';
import { untrustedTreeReason } from './private-paths.js';

const root = typeof process.getuid === 'function' && process.getuid() === 0;
/** `nobody`: a user other than us, for files an attacker made (chown needs root). */
const NOBODY = 65534;
const mode = (file: string) => statSync(file).mode & 0o777;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `sql` on one connection and closes it before returning. A Client, not a Pool: Pool.end()
 * resolves before the socket has closed, and a cluster stopped at that moment sends the connection
 * a FATAL "terminating connection due to administrator command" that nobody listens for.
 */
async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

function postmasterPid(dataDir: string): number {
  return Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

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
      await query(first.url('postgres'), 'create table kept (x int); insert into kept values (42)');
      await first.stop();

      const second = await startEmbeddedPostgres({ dataDir });
      expect(await query(second.url('postgres'), 'select x from kept')).toEqual([{ x: 42 }]);
      await second.stop();
    } finally {
      rmSync(privateDir, { recursive: true, force: true });
      if (target) rmSync(path.dirname(target), { recursive: true, force: true });
    }
  }, 60_000);
});

describe('embedded PostgreSQL connections', () => {
  async function serverAddress(url: string): Promise<string | null> {
    return (await query(url, 'select inet_server_addr()::text as addr'))[0].addr as string | null;
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

/**
 * As root, the binaries are copied where the postgres user can run them, once per version. Root
 * runs whatever that copy holds, so a directory found at its (predictable) path is used only if
 * every entry is ours and writable by nobody else. A small stand-in for the package keeps these fast.
 */
describe('the copy of the PostgreSQL binaries', () => {
  let dir: string;
  let native: string;
  let copies: string;
  const expectedName = () => `postgres-${process.platform}-${process.arch}-9.9.9`;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'zl-binaries-'));
    native = path.join(dir, 'package', 'native');
    mkdirSync(path.join(native, 'bin'), { recursive: true });
    mkdirSync(path.join(native, 'lib'));
    writeFileSync(path.join(dir, 'package', 'package.json'), JSON.stringify({ version: '9.9.9' }));
    writeFileSync(path.join(native, 'bin', 'postgres'), 'genuine postgres', { mode: 0o755 });
    writeFileSync(path.join(native, 'bin', 'initdb'), 'genuine initdb', { mode: 0o755 });
    writeFileSync(path.join(native, 'lib', 'libpq.so.5.18'), 'library', { mode: 0o666 }); // loose in the package: tightened in the copy
    chmodSync(path.join(native, 'lib', 'libpq.so.5.18'), 0o666);
    symlinkSync('libpq.so.5.18', path.join(native, 'lib', 'libpq.so.5'));
    copies = path.join(dir, 'copies');
    mkdirSync(copies, { mode: 0o755 });
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A directory at the copy's path, made before us, holding a binary of its own. */
  function plant(prepare: (planted: string) => void): string {
    const planted = path.join(copies, expectedName());
    mkdirSync(path.join(planted, 'bin'), { recursive: true, mode: 0o755 });
    writeFileSync(path.join(planted, 'bin', 'postgres'), 'planted', { mode: 0o755 });
    writeFileSync(path.join(planted, 'bin', 'initdb'), 'planted', { mode: 0o755 });
    prepare(planted);
    return planted;
  }

  function expectGenuineCopy(copy: string): void {
    expect(copy).toBe(path.join(copies, expectedName()));
    expect(readFileSync(path.join(copy, 'bin', 'postgres'), 'utf8')).toBe('genuine postgres');
    expect(lstatSync(copy).isSymbolicLink()).toBe(false);
    expect(statSync(copy).uid).toBe(process.getuid!());
    // The postgres user can read and run it; nobody but us can change it.
    expect(mode(copy)).toBe(0o755);
    expect(mode(path.join(copy, 'bin'))).toBe(0o755);
    expect(mode(path.join(copy, 'bin', 'postgres'))).toBe(0o755);
    expect(mode(path.join(copy, 'lib', 'libpq.so.5.18'))).toBe(0o644);
    expect(readlinkSync(path.join(copy, 'lib', 'libpq.so.5'))).toBe('libpq.so.5.18');
    // No staging or set-aside directory is left behind.
    expect(readdirSync(copies)).toEqual([expectedName()]);
  }

  it('is made once and then reused as it is', () => {
    const copy = publicCopyOf(native, copies);
    expectGenuineCopy(copy);
    const inode = statSync(path.join(copy, 'bin', 'postgres')).ino;
    expect(publicCopyOf(native, copies)).toBe(copy);
    expect(statSync(path.join(copy, 'bin', 'postgres')).ino).toBe(inode);
  });

  (root ? it : it.skip)('does not trust a directory another user created at its path', () => {
    plant((planted) => {
      for (const entry of [planted, path.join(planted, 'bin'), path.join(planted, 'bin', 'postgres'), path.join(planted, 'bin', 'initdb')]) chownSync(entry, NOBODY, NOBODY);
    });
    const lines: string[] = [];
    expectGenuineCopy(publicCopyOf(native, copies, (line) => lines.push(line)));
    expect(lines.join('\n')).toMatch(/not using the copy .* owned by uid 65534/);
  });

  it('does not trust a world-writable directory at its path, even one of ours', () => {
    plant((planted) => chmodSync(planted, 0o777));
    const lines: string[] = [];
    expectGenuineCopy(publicCopyOf(native, copies, (line) => lines.push(line)));
    expect(lines.join('\n')).toMatch(/writable by group or others/);
  });

  it('does not trust a copy with one binary others may write, or a link out of the copy', () => {
    const copy = publicCopyOf(native, copies);
    chmodSync(path.join(copy, 'bin', 'postgres'), 0o777);
    writeFileSync(path.join(copy, 'bin', 'postgres'), 'rewritten by someone');
    expectGenuineCopy(publicCopyOf(native, copies));
    symlinkSync('/etc/passwd', path.join(copy, 'lib', 'libevil.so'));
    expectGenuineCopy(publicCopyOf(native, copies));
    symlinkSync('../../../elsewhere/libpq.so', path.join(copy, 'lib', 'libevil.so'));
    expectGenuineCopy(publicCopyOf(native, copies));
  });

  (root ? it : it.skip)('of the real package runs as the postgres user', async () => {
    chmodSync(dir, 0o755); // the postgres user reaches the copy, and the cluster below is not relocated
    const instance = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') }); // makes sure the postgres user exists
    await instance.stop();
    const real = path.resolve(path.dirname(fileURLToPath(import.meta.resolve(`@embedded-postgres/${process.platform}-${process.arch}`))), '..', 'native');
    const copy = publicCopyOf(real, copies);
    const postgresUser = { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
    expect(execFileSync(path.join(copy, 'bin', 'postgres'), ['--version'], postgresUser).toString()).toMatch(/^postgres \(PostgreSQL\) \d+/);
    expect(untrustedTreeReason(copy, ['bin/postgres'])).toBeNull();
  }, 60_000);

  it('does not trust a copy that lacks a binary', () => {
    const copy = publicCopyOf(native, copies);
    rmSync(path.join(copy, 'bin', 'initdb'));
    expectGenuineCopy(publicCopyOf(native, copies));
  });
});

/**
 * A postmaster.pid outlives its process. The start stops only this cluster's own postmaster (an
 * orphan left by a killed parent) and never signals another process the pid now names.
 */
describe('embedded PostgreSQL with a postmaster.pid already there', () => {
  let dir: string;
  let dataDir: string;
  const decoys: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'zl-stale-'));
    chmodSync(dir, 0o755); // PostgreSQL runs as the postgres user when we are root
    dataDir = path.join(dir, 'pg');
  });

  afterEach(() => {
    for (const decoy of decoys.splice(0)) decoy.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** A process that is not PostgreSQL, though its command line says "postgres" and names this data directory. */
  function decoy(): ChildProcess {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', 'postgres', '-D', dataDir], { cwd: dataDir, stdio: 'ignore' });
    decoys.push(child);
    return child;
  }

  it('leaves an unrelated process whose command line says "postgres" running, and starts', async () => {
    const first = await startEmbeddedPostgres({ dataDir });
    const pidFile = path.join(dataDir, 'postmaster.pid');
    const lines = readFileSync(pidFile, 'utf8').split('\n');
    await first.stop();
    const unrelated = decoy();
    await new Promise((resolve) => unrelated.once('spawn', resolve));
    writeFileSync(pidFile, [String(unrelated.pid), ...lines.slice(1)].join('\n'));
    expect(identifyPostmaster(unrelated.pid!, dataDir)).toBe('other');

    const log: string[] = [];
    const second = await startEmbeddedPostgres({ dataDir, log: (line) => log.push(line) });
    try {
      expect(processAlive(unrelated.pid!)).toBe(true);
      expect(unrelated.exitCode).toBeNull();
      expect(log.join('\n')).toContain(`pid ${unrelated.pid} is not this cluster's postmaster (left running)`);
      expect(await query(second.url('postgres'), 'select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await second.stop();
    }
    expect(processAlive(unrelated.pid!)).toBe(true);
  }, 60_000);

  it('stops an orphaned postmaster of its own data directory and takes the cluster over', async () => {
    const orphan = await startEmbeddedPostgres({ dataDir }); // never stopped: as if its parent were killed
    const orphanPid = postmasterPid(dataDir);
    expect(identifyPostmaster(orphanPid, dataDir)).toBe('this-cluster');
    expect(identifyPostmaster(orphanPid, path.join(dir, 'another'))).toBe('other');
    const log: string[] = [];
    const successor = await startEmbeddedPostgres({ dataDir, log: (line) => log.push(line) });
    try {
      expect(log.join('\n')).toContain(`stopping orphaned PostgreSQL (pid ${orphanPid})`);
      expect(processAlive(orphanPid)).toBe(false);
      expect(postmasterPid(dataDir)).not.toBe(orphanPid);
      expect(await query(successor.url('postgres'), 'select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await successor.stop();
      await orphan.stop();
    }
  }, 60_000);

  it('keeps its secrets private: password file and instance.json 0600 (even one left 0644), cluster directory 0700', async () => {
    const ledgerDataDir = path.join(dir, 'data');
    mkdirSync(ledgerDataDir, { mode: 0o755 });
    writeFileSync(path.join(ledgerDataDir, 'instance.json'), '{}', { mode: 0o644 });
    chmodSync(path.join(ledgerDataDir, 'instance.json'), 0o644);
    // initdb (the postgres user, as root) reads its password from a 0600 file of its own: the cluster starts.
    const database = await openDatabase(loadConfig({ LEDGER_DATA_DIR: ledgerDataDir }));
    try {
      expect(mode(path.join(ledgerDataDir, 'pg.password'))).toBe(0o600);
      expect(mode(path.join(ledgerDataDir, 'instance.json'))).toBe(0o600);
      expect(JSON.parse(readFileSync(path.join(ledgerDataDir, 'instance.json'), 'utf8')).url).toBe(database.url);
      expect(mode(path.join(ledgerDataDir, 'pg'))).toBe(0o700);
    } finally {
      await database.stop();
    }
  }, 60_000);
});
