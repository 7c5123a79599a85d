export * from './projection.js';
export * from './projection-runner.js';
export * from './projection-lag.js';
export * from './projector.js';
export * from './checkpointed-apply.js';
export * from './rebuild.js';
export * from './ownership.js';
export * from './versions.js';
