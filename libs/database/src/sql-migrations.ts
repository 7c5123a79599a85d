import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Migrations are plain SQL files, one folder each, numbered in the order they apply (Formance's
 * layout): `0001-event-log/up.sql`, `0002-tenancy/up.sql`, ... Once released a file is never
 * edited: its SHA-256 is recorded when it is applied, and a process finding a different file
 * under an applied number refuses to start (see verifyChecksums in migrate.ts). There is no
 * down: a change is a new migration. Read models have no migrations at all: they are rebuilt
 * from the log when their projection's version changes (libs/projection-runtime/src/versions.ts).
 */
const FOLDER = /^(\d{4})-([a-z0-9]+(?:-[a-z0-9]+)*)$/;
const UP_FILE = 'up.sql';
/** Four digits: 0001 to 9999. */
export const SQL_MIGRATIONS_MAX = 9999;
/** TypeORM orders migrations by the last 13 characters of their names, read as a number. */
const TYPEORM_ORDER_DIGITS = 13;

export interface SqlMigration {
  /** The folder's name, e.g. `0001-event-log`: what its checksum is recorded under. */
  readonly id: string;
  readonly number: number;
  readonly sql: string;
  /** SHA-256 of up.sql's bytes, hex. */
  readonly sha256: string;
}

export const CHECKSUM_SQL = {
  /** Kept by the runner itself, like TypeORM keeps schema_migrations: it must exist before the first migration records into it. */
  ensureTable: `create table if not exists schema_migration_checksums (
                  id text primary key,
                  sha256 text not null,
                  applied_at timestamptz not null default now()
                )`,
  record: `insert into schema_migration_checksums (id, sha256) values ($1, $2)`,
  all: `select id, sha256 from schema_migration_checksums order by id`,
};

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The migrations of `dir`, in order. Every entry must be a folder `NNNN-name` holding exactly
 * `up.sql`, numbered from 0001 without gaps or repeats: anything else is a mistake in the
 * checked-in tree and stops the process here, before any database is touched.
 */
export function loadSqlMigrations(dir: string): SqlMigration[] {
  if (!existsSync(dir)) throw new Error(`no migrations at ${dir} (\`npm run build\` copies libs/schema/migrations there)`);
  const migrations: SqlMigration[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const match = FOLDER.exec(entry.name);
    if (!entry.isDirectory() || !match) throw new Error(`${path.join(dir, entry.name)}: a migration is a folder named NNNN-name (lower case, digits, dashes) holding ${UP_FILE}`);
    const files = readdirSync(path.join(dir, entry.name));
    if (files.length !== 1 || files[0] !== UP_FILE) throw new Error(`${path.join(dir, entry.name)}: holds ${files.join(', ') || 'nothing'}; a migration holds exactly ${UP_FILE}`);
    const number = Number(match[1]);
    const expected = migrations.length + 1;
    if (number !== expected) throw new Error(`${path.join(dir, entry.name)}: migrations are numbered from 0001 without gaps or repeats; expected ${String(expected).padStart(4, '0')}`);
    const bytes = readFileSync(path.join(dir, entry.name, UP_FILE));
    migrations.push({ id: entry.name, number, sql: bytes.toString('utf8'), sha256: sha256(bytes) });
  }
  if (migrations.length > SQL_MIGRATIONS_MAX) throw new Error(`${dir}: more than ${SQL_MIGRATIONS_MAX} migrations`);
  return migrations;
}

/** The name TypeORM records in schema_migrations: the folder, then the number zero-padded to the 13 digits TypeORM orders by. */
export function typeOrmName(migration: SqlMigration): string {
  return `${migration.id}.${String(migration.number).padStart(TYPEORM_ORDER_DIGITS, '0')}`;
}

/**
 * A migration as TypeORM's runner takes it: the file's statements (one simple-protocol query:
 * plain SQL, several statements, no parameters), then its checksum, in the transaction TypeORM
 * opens for it, so a migration is recorded with its checksum or not at all.
 */
export function typeOrmMigration(migration: SqlMigration): new () => MigrationInterface {
  const name = typeOrmName(migration);
  return class SqlFileMigration implements MigrationInterface {
    name = name;

    async up(q: QueryRunner): Promise<void> {
      await q.query(migration.sql);
      await q.query(CHECKSUM_SQL.record, [migration.id, migration.sha256]);
    }

    async down(): Promise<void> {
      throw new Error(`${migration.id}: migrations are not reverted; a change is a new migration`);
    }
  };
}
