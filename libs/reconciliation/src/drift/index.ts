export * from './drift-check.js';
export * from './record-run.js';
