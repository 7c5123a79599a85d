export * from './command-envelope.js';
export * from './copy-on-write-map.js';
export * from './tenant-writer.js';
export * from './writer-registry.js';
export * from './replay.js';
export * from './writer-clock.js';
