import { Client } from 'pg';
import { DataSource, MigrationInterface } from 'typeorm';

type MigrationClass = new () => MigrationInterface;

/** Arbitrary but fixed: every process that migrates takes this lock first. */
const MIGRATION_LOCK_KEY = 7_072_001;

/**
 * Runs the checked-in migrations (TypeORM's runner, one transaction each). Several processes
 * may start at once against one database; a session advisory lock makes them take turns.
 */
export async function runMigrations(url: string, migrations: MigrationClass[]): Promise<string[]> {
  const lock = new Client({ connectionString: url });
  // A connection lost while waiting surfaces as the failed query below; without a listener it would crash the process.
  lock.on('error', () => undefined);
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const dataSource = new DataSource({
      type: 'postgres',
      url,
      migrations,
      migrationsTableName: 'schema_migrations',
      migrationsTransactionMode: 'each',
      logging: false,
    });
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
}
