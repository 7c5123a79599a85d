export * from './telemetry-settings.js';
export * from './logger.js';
export * from './trace-context.js';
