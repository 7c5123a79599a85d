import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig, resolveMasterKey } from './config.js';

const CONFIG_MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'config.js');
const RACERS = 8;

/** The master key from files: real files in a private temporary directory. */
describe('master key files', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'zl-master-key-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function keyFile(content: string, mode: number): string {
    const file = path.join(dir, 'master.key');
    writeFileSync(file, content, { mode });
    chmodSync(file, mode); // whatever the umask
    return file;
  }

  it('reads LEDGER_MASTER_KEY_FILE, trimmed, and the service uses it (with DATABASE_URL too)', () => {
    const file = keyFile('  from-a-file-0123456789\n', 0o600);
    const config = loadConfig({ LEDGER_MASTER_KEY_FILE: file, DATABASE_URL: 'postgres://db/ledger' });
    expect(config.masterKey).toBe('from-a-file-0123456789');
    expect(resolveMasterKey(config)).toBe('from-a-file-0123456789');
    chmodSync(file, 0o400);
    expect(loadConfig({ LEDGER_MASTER_KEY_FILE: file }).masterKey).toBe('from-a-file-0123456789');
  });

  it.each(['640', '604', '644', '620', '610'])('refuses a key file with mode %s (open to group or others)', (mode) => {
    const file = keyFile('from-a-file-0123456789', parseInt(mode, 8));
    expect(() => loadConfig({ LEDGER_MASTER_KEY_FILE: file })).toThrow(/LEDGER_MASTER_KEY_FILE: .* open to group or others .*chmod 600/);
  });

  it('refuses a missing, empty or oversized key file, a directory, and both settings at once', () => {
    expect(() => loadConfig({ LEDGER_MASTER_KEY_FILE: path.join(dir, 'absent') })).toThrow(/LEDGER_MASTER_KEY_FILE: .* is not a file/);
    expect(() => loadConfig({ LEDGER_MASTER_KEY_FILE: dir })).toThrow(/is not a file/);
    const file = keyFile(' \n', 0o600);
    expect(() => loadConfig({ LEDGER_MASTER_KEY_FILE: file })).toThrow(/is empty/);
    writeFileSync(file, 'k'.repeat(4097));
    expect(() => loadConfig({ LEDGER_MASTER_KEY_FILE: file })).toThrow(/larger than 4096 bytes/);
    writeFileSync(file, 'from-a-file-0123456789');
    expect(() => loadConfig({ LEDGER_MASTER_KEY_FILE: file, LEDGER_MASTER_KEY: 'from-env-0123456789' })).toThrow(/not both/);
  });

  it('generates the embedded default once, 0600, and every later start reads the same key', () => {
    const config = loadConfig({ LEDGER_DATA_DIR: path.join(dir, 'data') });
    const key = resolveMasterKey(config);
    const file = path.join(dir, 'data', 'master.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(key);
    expect(Buffer.from(key, 'base64url')).toHaveLength(32);
    expect(resolveMasterKey(config)).toBe(key);
    expect(resolveMasterKey(loadConfig({ LEDGER_DATA_DIR: path.join(dir, 'data') }))).toBe(key);
  });

  it('refuses a generated master.key someone opened to others, and requires a key with DATABASE_URL', () => {
    const config = loadConfig({ LEDGER_DATA_DIR: dir });
    keyFile('generated-earlier-0123456789', 0o644);
    expect(() => resolveMasterKey(config)).toThrow(/master key: .* open to group or others/);
    expect(() => resolveMasterKey(loadConfig({ DATABASE_URL: 'postgres://db/ledger' }))).toThrow(/LEDGER_MASTER_KEY or LEDGER_MASTER_KEY_FILE is required/);
  });

  it('gives processes that start at once on a new data directory one and the same key', async () => {
    const script = `import { loadConfig, resolveMasterKey } from ${JSON.stringify(CONFIG_MODULE)};
      process.stdout.write(resolveMasterKey(loadConfig({ LEDGER_DATA_DIR: ${JSON.stringify(path.join(dir, 'data'))} })));`;
    const keys = await Promise.all(
      Array.from({ length: RACERS }, async () => (await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script])).stdout),
    );
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBe(readFileSync(path.join(dir, 'data', 'master.key'), 'utf8'));
  });
});
