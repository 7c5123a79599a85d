export * from './statement-parser.js';
export * from './statement-matcher.js';
