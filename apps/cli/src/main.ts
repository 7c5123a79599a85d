import { loadConfig, resolveMasterKey, runMigrations } from '#database/index.js';
import { ALL_MIGRATIONS } from '#schema/index.js';
import { EventStore, selectEventStore } from '#event-store/index.js';
import { parseArgs, UsageError } from './args.js';
import { exportCommand, verifyCommand } from './commands/export-verify.js';
import { projectionsCommand } from './commands/projections.js';
import { reconcileCommand } from './commands/reconcile.js';
import { replayCommand } from './commands/replay.js';
import { connect } from './database.js';
import { createLogger, lineLog } from '#telemetry/index.js';

const USAGE = `usage: npm run cli -- <command> [options]
commands:
  replay --tenant <id> [--until <time|position>] [--effective <time>] [--account <id>] [--json] [--compare]
             fold the tenant's stream from the event store with the domain's evolve and print balances,
             stream revision and state hash; --effective: posted by effective time (with --until <time>:
             what the log knew then); --compare checks the projections (exit 1 on any difference)
  projections rebuild [name|--all]
             rebuild into shadow tables from position 0 while the live model serves, then swap atomically
  projections verify [name|--all] [--json]
             hash the live model and a fresh rebuild at the same position; exit 1 if they differ
  reconcile --tenant <id> [--json]
             drift check: every account recomputed from the log vs the read models, recorded as a run; exit 1 on mismatch
  export --tenant <id> [--until <time|position>]
             the tenant's events with hashes as JSON lines, closed by the signed chain head
  verify <bundle.jsonl> --public-key <file>
             check an export's hash chain and signature, offline (no database); exit 1 at the first broken link
  status     the log head and every projection's checkpoint and version
  migrate    apply pending migrations
Uses DATABASE_URL, or the embedded PostgreSQL in LEDGER_DATA_DIR (the running service's, or started for the command).`;

async function main(argv: string[]): Promise<number> {
  const { words, options } = parseArgs(argv);
  const [command] = words;
  if (!command || command === 'help' || options.help) {
    console.log(USAGE);
    return command || options.help ? 0 : 2;
  }
  if (!['replay', 'projections', 'reconcile', 'export', 'verify', 'status', 'migrate'].includes(command)) {
    console.error(`unknown command: ${command}\n${USAGE}`);
    return 2;
  }
  if (command === 'verify') return verifyCommand(words, options, (line) => console.log(line));
  const config = loadConfig(process.env);
  // Standard output is the command's result (a replay, an export): the log goes to standard error.
  const logger = createLogger(config, 'cli', undefined, 2);
  const log = lineLog(logger);
  const db = await connect(config, log);
  let store: EventStore | null = null;
  try {
    // The log the service uses: EVENTSTORE_URL (EventStoreDB) or the events table.
    const selected = selectEventStore(config.eventStoreUrl, db.pool);
    store = selected.store;
    log(selected.describe());
    await selected.connect();
    await runMigrations(db.url, ALL_MIGRATIONS);
    switch (command) {
      case 'replay':
        return await replayCommand(db.pool, store, options, (line) => console.log(line), (line) => console.error(line));
      case 'export':
        return await exportCommand(db.pool, store, resolveMasterKey(config), options, (line) => process.stdout.write(`${line}\n`));
      case 'reconcile':
        return await reconcileCommand(db.pool, store, options, (line) => console.log(line));
      case 'projections':
        return await projectionsCommand(db.pool, store, words, options, (line) => console.log(line), (line) => console.error(line));
      case 'status': {
        const head = await store.headPosition();
        const checkpoints = await db.pool.query(
          `select c.name, c.position::text, c.error, v.version, v.built_at
             from projection_checkpoints c left join projection_versions v on v.name = c.name order by c.name`,
        );
        console.log(JSON.stringify({ head: head.toString(), projections: checkpoints.rows }, null, 2));
        return 0;
      }
      default:
        console.log('migrations up to date');
        return 0;
    }
  } finally {
    await store?.close();
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  // Let piped output (an export) drain before exiting.
  (code) => process.stdout.write('', () => process.exit(code)),
  (error) => {
    console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : (error?.message ?? error));
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
