export * from './command-envelope';
export * from './copy-on-write-map';
export * from './tenant-writer';
export * from './writer-registry';
