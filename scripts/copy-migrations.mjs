// The SQL migrations are read at run time next to the compiled code (dist/libs/schema/migrations):
// copied whole on every build, so a file removed or renamed in the source does not linger in dist.
import { cpSync, rmSync } from 'node:fs';
const target = 'dist/libs/schema/migrations';
rmSync(target, { recursive: true, force: true });
cpSync('libs/schema/migrations', target, { recursive: true });
