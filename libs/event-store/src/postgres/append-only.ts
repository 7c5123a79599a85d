/**
 * The trigger that keeps the log append-only (libs/schema/migrations/0001-event-log): named so a
 * test, or a future migration that must rewrite events, can say which one it disables.
 */
export const EVENTS_APPEND_ONLY_TRIGGER = 'events_append_only';
/** SQLSTATE of a refused UPDATE, DELETE or TRUNCATE of the log (ZL000-ZL002 are append_events'). */
export const EVENTS_APPEND_ONLY_ERRCODE = 'ZL003';
