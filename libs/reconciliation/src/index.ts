export * from './statement-parser.js';
export * from './statement-matcher.js';
export * from './statement-events.js';
