export * from './hash-chain.js';
export * from './signing.js';
export * from './chain-heads.js';
export * from './intents.js';
export * from './reseal.js';
export * from './access-audit.js';
