/** RFC 3339 date-time with an offset: what the API and the CLI take as a time. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** Milliseconds since the epoch of an RFC 3339 time, or null for anything else. */
export function parseRfc3339(raw: unknown): number | null {
  if (typeof raw !== 'string' || !RFC3339.test(raw)) return null;
  const millis = Date.parse(raw);
  return Number.isNaN(millis) ? null : millis;
}
