/**
 * Tokens for the runtime's pieces that are interfaces (Nest injects a class by its type, but an
 * interface leaves no trace at run time). Inject them with `@Inject(EVENT_STORE)`.
 */

/** The process's LedgerConfig, read once in main.ts (loadConfig). */
export const LEDGER_CONFIG = Symbol('LedgerConfig');
/** The event log this process uses (PostgreSQL's or EventStoreDB's). */
export const EVENT_STORE = Symbol('EventStore');
