export * from './api-keys.js';
export * from './roles.js';
export * from './tenancy.migration.js';
export * from './key-lifecycle.migration.js';
