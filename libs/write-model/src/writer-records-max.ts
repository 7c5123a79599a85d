/**
 * Idempotency keys, transactions and holds a writer keeps in memory, each, at most (when its
 * store can look them up again: StreamLookup). Beyond it the oldest are forgotten; any of them is
 * rebuilt exactly from the log when a command needs it. Accounts are always kept.
 */
export const WRITER_RECORDS_MAX_DEFAULT = 100_000;

/**
 * LEDGER_WRITER_RECORDS_MAX from the given environment. Called once, by loadConfig at start; this
 * file imports nothing, so the configuration can use it without an import cycle.
 */
export function writerRecordsMax(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.LEDGER_WRITER_RECORDS_MAX;
  if (raw === undefined || raw === '') return WRITER_RECORDS_MAX_DEFAULT;
  if (!/^[1-9][0-9]*$/.test(raw)) throw new Error(`LEDGER_WRITER_RECORDS_MAX must be a positive integer, got ${raw}`);
  return Number(raw);
}
