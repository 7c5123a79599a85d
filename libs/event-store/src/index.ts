export * from './event-store.port';
export * from './postgres/postgres-event-store';
export * from './postgres/event-store.migration';
