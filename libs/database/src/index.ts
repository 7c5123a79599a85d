export * from './config.js';
export * from './database.js';
export * from './embedded-postgres.js';
export * from './errors.js';
export * from './migrate.js';
export * from './sql-migrations.js';
export * from './wait-for-database.js';
