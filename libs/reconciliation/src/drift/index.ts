export * from './drift-check.js';
export * from './exclusive-run.js';
export * from './record-run.js';
