import { createPool, loadConfig, runMigrations, runningInstanceUrl } from '../../../libs/database/src/index.js';
import { ALL_MIGRATIONS } from '../../../libs/schema/src/index.js';

const USAGE = `usage: npm run cli -- <command>
commands:
  migrate    apply pending migrations to DATABASE_URL (or the running embedded instance)
  status     print the log head and every projection's checkpoint`;

/** Operator CLI. Replay, rebuild, verify and reconcile arrive with their issues. */
async function main(argv: string[]): Promise<number> {
  const config = loadConfig();
  const url = config.databaseUrl ?? runningInstanceUrl(config.dataDir);
  const [command] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (!url) {
    console.error(`no database: set DATABASE_URL, or start the service (no running instance in ${config.dataDir})`);
    return 2;
  }
  if (command === 'migrate') {
    const applied = await runMigrations(url, ALL_MIGRATIONS);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'up to date');
    return 0;
  }
  if (command === 'status') {
    const pool = createPool(url, 1);
    try {
      const head = await pool.query('select coalesce(max(global_position), 0) as head from events');
      const checkpoints = await pool.query('select name, position, error from projection_checkpoints order by name');
      console.log(JSON.stringify({ head: String(head.rows[0].head), projections: checkpoints.rows }, null, 2));
      return 0;
    } finally {
      await pool.end();
    }
  }
  console.error(`unknown command: ${command}\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error?.message ?? error);
    process.exit(1);
  },
);
