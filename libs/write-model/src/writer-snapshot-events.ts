/**
 * A writer snapshots its tenant's state after this many events appended since its last
 * snapshot (and when the process shuts down cleanly or the writer is dropped idle), so a cold
 * writer replays at most about this many events on top of the snapshot. Writing one costs about
 * a millisecond per thousand accounts and runs beside the writer, never in front of a command.
 */
export const WRITER_SNAPSHOT_EVENTS_DEFAULT = 10_000;

/**
 * LEDGER_WRITER_SNAPSHOT_EVENTS from the given environment (0 turns snapshots off). Called once,
 * by loadConfig at start; this file imports nothing, so the configuration can use it without an
 * import cycle.
 */
export function writerSnapshotEvents(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.LEDGER_WRITER_SNAPSHOT_EVENTS;
  if (raw === undefined || raw === '') return WRITER_SNAPSHOT_EVENTS_DEFAULT;
  if (!/^(0|[1-9][0-9]{0,8})$/.test(raw)) throw new Error(`LEDGER_WRITER_SNAPSHOT_EVENTS must be 0 (off) or a positive integer below 1e9, got ${raw}`);
  return Number(raw);
}
