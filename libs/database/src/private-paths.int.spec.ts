import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ownedDirectory, privateTempFile, writePrivateFile } from './private-paths.js';

const root = typeof process.getuid === 'function' && process.getuid() === 0;
/** `nobody`: a user other than us, for files an attacker made (chown needs root). */
const NOBODY = 65534;

const mode = (file: string) => statSync(file).mode & 0o777;

/** Real files and directories in a private temporary directory. */
describe('private paths', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'zl-private-paths-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a private temporary file is 0600 in a fresh 0700 directory, given to the reading user, and removed whole', () => {
    const ids = root ? { uid: NOBODY, gid: NOBODY } : {};
    const secret = privateTempFile(dir, 'password', 'pw\n', ids);
    try {
      expect(path.dirname(secret.file)).toBe(secret.dir);
      expect(path.dirname(secret.dir)).toBe(dir);
      expect(mode(secret.dir)).toBe(0o700);
      expect(mode(secret.file)).toBe(0o600);
      if (root) {
        expect(statSync(secret.dir)).toMatchObject({ uid: NOBODY, gid: NOBODY });
        expect(statSync(secret.file)).toMatchObject({ uid: NOBODY, gid: NOBODY });
      }
      expect(readFileSync(secret.file, 'utf8')).toBe('pw\n');
      // Two secrets never share a directory: its name is not predictable.
      const other = privateTempFile(dir, 'password', 'pw\n', {});
      expect(other.dir).not.toBe(secret.dir);
      other.remove();
    } finally {
      secret.remove();
    }
    expect(existsSync(secret.dir)).toBe(false);
  });

  it('a private file replaces a looser file and a planted symlink (0600), and never writes through the link', () => {
    const file = path.join(dir, 'pg.password');
    writeFileSync(file, 'old', { mode: 0o644 });
    chmodSync(file, 0o644);
    writePrivateFile(file, 'new');
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('new');

    const elsewhere = path.join(dir, 'elsewhere');
    writeFileSync(elsewhere, 'untouched', { mode: 0o644 });
    rmSync(file);
    symlinkSync(elsewhere, file);
    writePrivateFile(file, 'newer');
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('newer');
    expect(readFileSync(elsewhere, 'utf8')).toBe('untouched');
  });

  it('an owned directory is created with its mode whatever the umask, and found again', () => {
    const kept = path.join(dir, 'kept');
    const umask = process.umask(0o077);
    try {
      ownedDirectory(kept, 0o755);
    } finally {
      process.umask(umask);
    }
    expect(mode(kept)).toBe(0o755);
    expect(ownedDirectory(kept, 0o755)).toBe(kept);
  });

  it('refuses a directory at the path that is writable by others, or is a symlink', () => {
    const open = path.join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(() => ownedDirectory(open, 0o755)).toThrow(/refusing to use .*open: writable by group or others \(mode 777\)/);
    const groupWritable = path.join(dir, 'group');
    mkdirSync(groupWritable);
    chmodSync(groupWritable, 0o775);
    expect(() => ownedDirectory(groupWritable, 0o755)).toThrow(/writable by group or others/);
    const link = path.join(dir, 'link');
    mkdirSync(path.join(dir, 'real'), { mode: 0o755 });
    symlinkSync(path.join(dir, 'real'), link);
    expect(() => ownedDirectory(link, 0o755)).toThrow(/not a directory/);
    expect(mode(open)).toBe(0o777); // refused, not "repaired"
  });

  (root ? it : it.skip)('refuses a directory at the path that another user made first', () => {
    const planted = path.join(dir, 'planted');
    mkdirSync(planted, { mode: 0o755 });
    chownSync(planted, NOBODY, NOBODY);
    expect(() => ownedDirectory(planted, 0o755)).toThrow(new RegExp(`owned by uid ${NOBODY}`));
  });
});
