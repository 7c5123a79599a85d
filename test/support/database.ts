import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { runMigrations } from '#database/migrate.js';
import { ALL_MIGRATIONS } from '#schema/index.js';
import { createInPlace, Projection } from '#projection-runtime/index.js';

/** A fresh, migrated database on the run's PostgreSQL, dropped by drop(). */
export interface TestDatabase {
  url: string;
  name: string;
  drop: () => Promise<void>;
}

function adminUrl(): string {
  const url = process.env.TEST_DATABASE_ADMIN_URL;
  if (!url) throw new Error('TEST_DATABASE_ADMIN_URL is not set: run through jest (globalSetup starts PostgreSQL)');
  return url;
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * `migrate: false`: an empty database. `readModels`: created empty at checkpoint 0, as a
 * projector does on a fresh database, for tests that apply projections without one.
 */
export async function createTestDatabase(options: { migrate?: boolean; readModels?: readonly Projection[] } = {}): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: adminUrl(), max: 1 });
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = databaseUrl(name);
  if (options.migrate !== false) await runMigrations(url, ALL_MIGRATIONS);
  if (options.readModels?.length) {
    const pool = new Pool({ connectionString: url, max: 1 });
    try {
      for (const projection of options.readModels) await createInPlace(pool, projection);
    } finally {
      await pool.end();
    }
  }
  return {
    url,
    name,
    drop: async () => {
      const pool = new Pool({ connectionString: adminUrl(), max: 1 });
      await pool.query(`drop database if exists ${name} with (force)`);
      await pool.end();
    },
  };
}
