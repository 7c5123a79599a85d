export * from './account';
export * from './commands';
export * from './decide';
export * from './errors';
export * from './events';
export * from './limits';
export * from './money';
export * from './state';
