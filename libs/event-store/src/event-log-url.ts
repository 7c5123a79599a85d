/**
 * The EventStoreDB connection string in the given environment (EVENTSTORE_URL, trimmed), or null
 * for the PostgreSQL log. Called once, by loadConfig at start; the URL itself is checked when the
 * log is selected (selectEventStore). This file imports nothing, so the configuration can use it
 * without an import cycle.
 */
export function eventStoreUrlFromEnv(env: Readonly<Record<string, string | undefined>>): string | null {
  const url = env.EVENTSTORE_URL?.trim();
  return url ? url : null;
}
