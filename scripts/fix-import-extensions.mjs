// Adds the .js extension NodeNext resolution needs to relative imports in our TypeScript.
import fs from 'node:fs';
import path from 'node:path';
const roots = ['apps', 'libs', 'projections', 'test', 'bench'];
function walk(dir, out) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out); else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}
let changed = 0;
for (const file of roots.flatMap((r) => walk(r, []))) {
  const src = fs.readFileSync(file, 'utf8');
  const out = src.replace(/(from\s+|import\s*\(\s*|import\s+)(['"])(\.{1,2}\/[^'"]*)\2/g, (m, pre, q, spec) => {
    if (/\.(js|json|mjs|cjs)$/.test(spec)) return m;
    const base = path.resolve(path.dirname(file), spec);
    if (fs.existsSync(base + '.ts')) return `${pre}${q}${spec}.js${q}`;
    if (fs.existsSync(path.join(base, 'index.ts'))) return `${pre}${q}${spec}/index.js${q}`;
    return m;
  });
  if (out !== src) { fs.writeFileSync(file, out); changed++; }
}
console.log(`fixed imports in ${changed} files`);
