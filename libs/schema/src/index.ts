import { fileURLToPath } from 'node:url';
import { MigrationSet } from '#database/migrate.js';
import { loadSqlMigrations } from '#database/sql-migrations.js';
import { CLASS_MIGRATIONS } from './class-migrations.js';

/**
 * libs/schema/migrations/NNNN-name/up.sql: the tables that cannot be rebuilt from the log (the
 * log itself, tenancy and keys, checkpoints and versions, intents, webhook endpoints,
 * reconciliation coordination). `npm run build` copies the folder next to the compiled code.
 * Read models are not here: each projection owns its tables (see projections/).
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

/** Every checked-in migration, in the order they apply, and the class-built databases they take over. Run at start by every process. */
export const ALL_MIGRATIONS: MigrationSet = { migrations: loadSqlMigrations(MIGRATIONS_DIR), predecessor: CLASS_MIGRATIONS };
