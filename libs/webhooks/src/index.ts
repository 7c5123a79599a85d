export * from './backoff.js';
export * from './signature.js';
export * from './url-policy.js';
export * from './webhook-config.js';
export * from './webhook-dispatcher.js';
export * from './webhook-events.js';
export * from './endpoints.js';
