import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { ALL_MIGRATIONS, MIGRATIONS_DIR } from '#schema/index.js';
import { createTestDatabase, TestDatabase } from '../../../test/support/database.js';
import { schemaShape } from '../../../test/support/schema-shape.js';
import { MigrationChecksumError, runMigrations } from './migrate.js';
import { loadSqlMigrations, sha256 } from './sql-migrations.js';

const FIXTURE = path.resolve('test/fixtures/class-migrations.sql');

describe('SQL migrations', () => {
  const databases: TestDatabase[] = [];
  const dirs: string[] = [];

  afterAll(async () => {
    for (const db of databases) await db.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function emptyDatabase(): Promise<TestDatabase> {
    const db = await createTestDatabase({ migrate: false });
    databases.push(db);
    return db;
  }

  /** A copy of the checked-in migrations to change. */
  function migrationsCopy(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zentra-migrations-'));
    dirs.push(dir);
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    return dir;
  }

  async function rows<T = any>(url: string, sql: string): Promise<T[]> {
    const pool = new Pool({ connectionString: url, max: 1 });
    try {
      return (await pool.query(sql)).rows;
    } finally {
      await pool.end();
    }
  }

  it('are the numbered folders in order, each applied once with the SHA-256 of its file', async () => {
    const db = await emptyDatabase();
    const ids = ALL_MIGRATIONS.migrations.map((m) => m.id);
    expect(ids.slice(0, 7)).toEqual([
      '0001-event-log', '0002-tenancy', '0003-projection-checkpoints', '0004-intents', '0005-webhook-endpoints', '0006-reconciliation-coordination', '0007-projection-versions',
    ]);
    const applied = await runMigrations(db.url, ALL_MIGRATIONS);
    expect(applied).toEqual(ALL_MIGRATIONS.migrations.map((m) => `${m.id}.${String(m.number).padStart(13, '0')}`));
    const checksums = await rows(db.url, `select id, sha256 from schema_migration_checksums order by id`);
    expect(checksums).toEqual(ids.map((id) => ({ id, sha256: sha256(readFileSync(path.join(MIGRATIONS_DIR, id, 'up.sql'))) })));
    // Only what cannot be rebuilt from the log: no read model is a migration's.
    const tables = (await rows(db.url, `select tablename from pg_tables where schemaname = 'public' order by 1`)).map((r) => r.tablename);
    expect(tables).toEqual([
      'api_keys', 'chain_heads', 'events', 'intents', 'projection_checkpoints', 'projection_versions', 'reconciliation_runs_active',
      'reconciliation_statement_lines', 'reconciliation_statement_unreconciled', 'schema_migration_checksums', 'schema_migrations', 'streams',
      'tenants', 'webhook_endpoints', 'write_model_snapshots',
    ]);
    expect(await runMigrations(db.url, ALL_MIGRATIONS)).toEqual([]);
  });

  it('apply a migration added later on a database that has the earlier ones', async () => {
    const db = await emptyDatabase();
    const dir = migrationsCopy();
    await runMigrations(db.url, { migrations: loadSqlMigrations(dir) });
    const next = `${String(ALL_MIGRATIONS.migrations.length + 1).padStart(4, '0')}-notes`;
    mkdirSync(path.join(dir, next));
    writeFileSync(path.join(dir, next, 'up.sql'), 'create table notes (id int primary key);\ninsert into notes values (1);\n');
    expect(await runMigrations(db.url, { migrations: loadSqlMigrations(dir) })).toEqual([`${next}.${String(ALL_MIGRATIONS.migrations.length + 1).padStart(13, '0')}`]);
    expect(await rows(db.url, `select id from notes`)).toEqual([{ id: 1 }]);
  });

  it('refuse to run when a released file was changed after it was applied, naming it, and change nothing', async () => {
    const db = await emptyDatabase();
    const dir = migrationsCopy();
    await runMigrations(db.url, { migrations: loadSqlMigrations(dir) });
    const before = await schemaShape(db.url);
    appendFileSync(path.join(dir, '0002-tenancy', 'up.sql'), 'alter table tenants add column nickname text;\n');
    const next = `${String(ALL_MIGRATIONS.migrations.length + 1).padStart(4, '0')}-notes`;
    mkdirSync(path.join(dir, next));
    writeFileSync(path.join(dir, next, 'up.sql'), 'create table notes (id int primary key);\n');
    const refused = await runMigrations(db.url, { migrations: loadSqlMigrations(dir) }).catch((error) => error);
    expect(refused).toBeInstanceOf(MigrationChecksumError);
    expect(refused.message).toContain('migration 0002-tenancy was changed after it was applied');
    expect(refused.message).toContain('new numbered migration');
    // Not even the pending migration ran.
    expect(await schemaShape(db.url)).toEqual(before);
  });

  it('refuse to run when a migration applied to the database is not among the files (newer database, or a file removed)', async () => {
    const db = await emptyDatabase();
    const dir = migrationsCopy();
    const next = `${String(ALL_MIGRATIONS.migrations.length + 1).padStart(4, '0')}-notes`;
    mkdirSync(path.join(dir, next));
    writeFileSync(path.join(dir, next, 'up.sql'), 'create table notes (id int primary key);\n');
    await runMigrations(db.url, { migrations: loadSqlMigrations(dir) });
    const refused = await runMigrations(db.url, ALL_MIGRATIONS).catch((error) => error);
    expect(refused).toBeInstanceOf(MigrationChecksumError);
    expect(refused.message).toContain(`migration ${next} was applied to this database but is not among this code's migrations`);
  });

  it('load only NNNN-name folders holding up.sql, numbered from 0001 without gaps', () => {
    const gap = migrationsCopy();
    rmSync(path.join(gap, '0003-projection-checkpoints'), { recursive: true });
    expect(() => loadSqlMigrations(gap)).toThrow(/without gaps or repeats; expected 0003/);
    const stray = migrationsCopy();
    writeFileSync(path.join(stray, '0001-event-log', 'down.sql'), 'drop table events;');
    expect(() => loadSqlMigrations(stray)).toThrow(/0001-event-log: holds .*down\.sql.*; a migration holds exactly up\.sql/);
    const named = migrationsCopy();
    writeFileSync(path.join(named, 'README.md'), 'notes');
    expect(() => loadSqlMigrations(named)).toThrow(/README\.md: a migration is a folder named NNNN-name/);
    expect(() => loadSqlMigrations(path.join(named, 'nowhere'))).toThrow(/no migrations at .*npm run build/);
  });

  it('take over a database built by the class migrations: 0001-0006 recorded as applied, 0007 run, the same structure as a fresh one outside read models', async () => {
    const fresh = await emptyDatabase();
    await runMigrations(fresh.url, ALL_MIGRATIONS);
    const old = await emptyDatabase();
    await rows(old.url, readFileSync(FIXTURE, 'utf8'));
    const applied = await runMigrations(old.url, ALL_MIGRATIONS);
    expect(applied).toEqual(ALL_MIGRATIONS.migrations.filter((m) => m.number > 6).map((m) => `${m.id}.${String(m.number).padStart(13, '0')}`));
    const checksums = await rows(old.url, `select id, sha256 from schema_migration_checksums order by id`);
    expect(checksums).toEqual(ALL_MIGRATIONS.migrations.map((m) => ({ id: m.id, sha256: m.sha256 })));
    // The read models the classes made are still there (rebuilt later by their projections, which find no version); the rest is identical.
    const readModels = new Set(['accounts', 'audit_log', 'balance_history', 'entries', 'event_feed', 'holds', 'reconciliation_runs', 'reconciliation_statements', 'transactions', 'trial_balance', 'webhook_deliveries']);
    const withoutReadModels = (shape: string) => shape.split(/\n(?=table |CREATE )/).filter((part) => !readModels.has(/^table (\w+)/.exec(part)?.[1] ?? '')).join('\n');
    expect(withoutReadModels(await schemaShape(old.url))).toEqual(await schemaShape(fresh.url));
    expect(await runMigrations(old.url, ALL_MIGRATIONS)).toEqual([]);
  });

  it('refuse a database on which only some of the class migrations ran, and leave it as it was', async () => {
    const old = await emptyDatabase();
    await rows(old.url, readFileSync(FIXTURE, 'utf8'));
    await rows(old.url, `delete from schema_migrations where name = 'StatementLines1700000002350'`);
    const before = await schemaShape(old.url);
    const refused = await runMigrations(old.url, ALL_MIGRATIONS).catch((error) => error);
    expect(refused.message).toContain('missing StatementLines1700000002350');
    expect(refused.message).toContain('start the last release with migration classes on it once');
    const after = await schemaShape(old.url);
    // Only the runner's own checksum table was added.
    expect(after.replace(/table schema_migration_checksums\n(  .*\n)*/, '')).toEqual(before);
    expect(await rows(old.url, `select count(*)::int as n from schema_migrations where name like '0%'`)).toEqual([{ n: 0 }]);
  });
});
