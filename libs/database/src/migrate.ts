import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { CHECKSUM_SQL, SqlMigration, typeOrmMigration, typeOrmName } from './sql-migrations.js';

/** Arbitrary but fixed: every process that migrates takes this lock first. */
const MIGRATION_LOCK_KEY = 7_072_001;
const MIGRATIONS_TABLE = 'schema_migrations';

/**
 * Databases built before the SQL migrations, by TypeORM migration classes: recognised by the
 * classes' names in schema_migrations. One that ran every class holds exactly what the
 * `equivalent` SQL migrations create (its read models aside, which are rebuilt because they have
 * no version), so those are recorded as applied instead of run.
 */
export interface ClassMigrationsPredecessor {
  /** Every class migration released, by name. */
  readonly classMigrations: readonly string[];
  /** The SQL migrations (ids) that create what those classes left, read models aside. */
  readonly equivalent: readonly string[];
}

export interface MigrationSet {
  readonly migrations: readonly SqlMigration[];
  readonly predecessor?: ClassMigrationsPredecessor;
}

/** A released migration's file differs from what was applied, or an applied one is missing: the process must not start. */
export class MigrationChecksumError extends Error {}

/**
 * Runs the checked-in migrations with TypeORM's runner, one transaction each, after checking
 * that every migration this database has applied is still, byte for byte, the file it applied.
 * Several processes may start at once against one database; a session advisory lock makes them
 * take turns.
 */
export async function runMigrations(url: string, set: MigrationSet): Promise<string[]> {
  const lock = new Client({ connectionString: url });
  // A connection lost while waiting surfaces as the failed query below; without a listener it would crash the process.
  lock.on('error', () => undefined);
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await lock.query(CHECKSUM_SQL.ensureTable);
    await adoptClassMigrations(lock, set);
    await verifyChecksums(lock, set.migrations);
    const dataSource = new DataSource({
      type: 'postgres',
      url,
      migrations: set.migrations.map(typeOrmMigration),
      migrationsTableName: MIGRATIONS_TABLE,
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

/** Every applied migration must still be its file: same id, same SHA-256. */
async function verifyChecksums(db: Client, migrations: readonly SqlMigration[]): Promise<void> {
  const byId = new Map(migrations.map((m) => [m.id, m]));
  const { rows } = await db.query(CHECKSUM_SQL.all);
  for (const row of rows) {
    const file = byId.get(row.id);
    if (!file) {
      throw new MigrationChecksumError(
        `migration ${row.id} was applied to this database but is not among this code's migrations: the database is newer than this code, or a released migration was removed`,
      );
    }
    if (file.sha256 !== row.sha256) {
      throw new MigrationChecksumError(
        `migration ${row.id} was changed after it was applied (applied SHA-256 ${row.sha256}, its up.sql now ${file.sha256}): ` +
          'released migrations are never edited; restore the file and put the change in a new numbered migration',
      );
    }
  }
}

/**
 * The one-time step from class migrations to SQL migrations: a database on which every released
 * class ran gets the equivalent SQL migrations recorded as applied (with their checksums), in
 * one transaction. One on which only some ran is refused: the classes that would bring it up to
 * date are gone from this code.
 */
async function adoptClassMigrations(db: Client, set: MigrationSet): Promise<void> {
  const predecessor = set.predecessor;
  if (!predecessor) return;
  const { rows: exists } = await db.query(`select to_regclass($1) is not null as found`, [MIGRATIONS_TABLE]);
  if (!exists[0].found) return;
  const { rows } = await db.query(`select name from ${MIGRATIONS_TABLE}`);
  const applied = new Set<string>(rows.map((r) => r.name));
  if (!predecessor.classMigrations.some((name) => applied.has(name))) return;
  const equivalent = set.migrations.filter((m) => predecessor.equivalent.includes(m.id));
  if (equivalent.length !== predecessor.equivalent.length) throw new Error(`the migrations equivalent to the class migrations are not all present: ${predecessor.equivalent.join(', ')}`);
  if (equivalent.every((m) => applied.has(typeOrmName(m)))) return;
  const missing = predecessor.classMigrations.filter((name) => !applied.has(name));
  if (missing.length > 0) {
    throw new Error(
      `this database was built by an earlier release that has not run all of its migrations (missing ${missing.join(', ')}); ` +
        'start the last release with migration classes on it once, then this one',
    );
  }
  await db.query('begin');
  try {
    for (const migration of equivalent) {
      await db.query(`insert into ${MIGRATIONS_TABLE} (timestamp, name) values ($1, $2)`, [migration.number, typeOrmName(migration)]);
      await db.query(CHECKSUM_SQL.record, [migration.id, migration.sha256]);
    }
    await db.query('commit');
  } catch (error) {
    await db.query('rollback').catch(() => undefined);
    throw error;
  }
}
