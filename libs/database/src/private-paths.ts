import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, renameSync, rmSync, Stats, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Files and directories that must be ours alone: as root, a path in a shared place (the temp
 * directory) that someone else created first is theirs, and whatever it holds runs or reads as
 * root. So a place we keep things in is verified (a real directory, ours, writable by nobody
 * else) before we trust it, and a secret is written into a directory nobody could have prepared.
 */

/** Entries a trusted copy may hold: a PostgreSQL distribution has about 1,100. */
const TREE_ENTRIES_MAX = 10_000;

function currentUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : -1;
}

/** Why `stat` is not ours alone, or null: it must be owned by us and writable by nobody else. */
function notOursAlone(stat: Stats): string | null {
  if (stat.uid !== currentUid()) return `owned by uid ${stat.uid}, not ${currentUid()}`;
  if ((stat.mode & 0o022) !== 0) return `writable by group or others (mode ${(stat.mode & 0o777).toString(8)})`;
  return null;
}

/**
 * A directory we keep things in: created with `mode` if missing, else verified to be a real
 * directory (no symlink), owned by us and writable by nobody else, and refused otherwise — it
 * was not made by us, so nothing in it is ours. `mode` is applied whatever the umask (the
 * postgres user must be able to reach what 0755 promises).
 */
export function ownedDirectory(dir: string, mode: number): string {
  try {
    mkdirSync(dir, { mode });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stat = lstatSync(dir);
  const why = stat.isDirectory() ? notOursAlone(stat) : 'not a directory';
  if (why) throw new Error(`refusing to use ${dir}: ${why}; remove it or fix its owner and mode`);
  chmodSync(dir, mode);
  return dir;
}

/**
 * Why the tree at `root` cannot be trusted, or null when it can: every entry ours and writable by
 * nobody else, symlinks only relative and inside the tree, and `required` files present.
 */
export function untrustedTreeReason(root: string, required: string[]): string | null {
  const top = lstatSync(root, { throwIfNoEntry: false });
  if (!top?.isDirectory()) return 'not a directory';
  const pending = [root];
  let entries = 0;
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const name of readdirSync(dir)) {
      if (++entries > TREE_ENTRIES_MAX) return `more than ${TREE_ENTRIES_MAX} entries`;
      const entry = path.join(dir, name);
      const stat = lstatSync(entry);
      if (stat.uid !== currentUid()) return `${entry} is owned by uid ${stat.uid}`;
      if (stat.isSymbolicLink()) {
        const link = readlinkSync(entry);
        const resolved = path.resolve(dir, link);
        if (path.isAbsolute(link) || !resolved.startsWith(root + path.sep)) return `${entry} links outside the tree (${link})`;
      } else {
        if ((stat.mode & 0o022) !== 0) return `${entry} is writable by group or others`;
        if (stat.isDirectory()) pending.push(entry);
      }
    }
  }
  const why = notOursAlone(top);
  if (why) return why;
  const missing = required.find((file) => !lstatSync(path.join(root, file), { throwIfNoEntry: false })?.isFile());
  return missing ? `${missing} is missing` : null;
}

/** Takes group and others' write permission away from every entry of a tree we just made. */
export function withoutWriteForOthers(root: string): void {
  const pending = [root];
  while (pending.length > 0) {
    const entry = pending.pop()!;
    const stat = lstatSync(entry);
    if (stat.isSymbolicLink()) continue;
    chmodSync(entry, (stat.mode & 0o7777 & ~0o022) | (stat.isDirectory() ? 0o555 : 0o444));
    if (stat.isDirectory()) pending.push(...readdirSync(entry).map((name) => path.join(entry, name)));
  }
}

export interface PrivateFile {
  file: string;
  dir: string;
  remove: () => void;
}

/**
 * A secret handed to another program (initdb's password): a fresh directory (mkdtemp: an
 * unpredictable name, 0700) holding one 0600 file, both given to `ids` (the postgres user when
 * we are root) so that program, and nobody else, can read it.
 */
export function privateTempFile(parent: string, name: string, content: string, ids: { uid?: number; gid?: number }): PrivateFile {
  const dir = mkdtempSync(path.join(parent, 'zl-private-'));
  const file = path.join(dir, name);
  try {
    chmodSync(dir, 0o700);
    writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    if (ids.uid !== undefined) {
      chownSync(file, ids.uid, ids.gid!);
      chownSync(dir, ids.uid, ids.gid!);
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { file, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Writes `content` to `file` with mode 0600: whole under a fresh name, then renamed over it. A
 * file that was already there keeps neither its content nor its mode, and a symlink planted at
 * `file` is replaced, not followed.
 */
export function writePrivateFile(file: string, content: string): void {
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(draft, content, { mode: 0o600, flag: 'wx' });
  try {
    chmodSync(draft, 0o600);
    renameSync(draft, file);
  } catch (error) {
    rmSync(draft, { force: true });
    throw error;
  }
}
