/**
 * Which events of $all a reader sees. System events (EventStoreDB's own, whose type or stream
 * starts with `$`) never; of the rest, those of streams starting with one of the prefixes, or all
 * when there are none.
 *
 * Subscriptions filter on the server (a stream-name prefix filter, or the exclude-system-events
 * filter when there are no prefixes). Reads of $all filter here: the v6 client has no filter on
 * reads. The ledger's own streams are `ledger-<tenant>`, `audit-<tenant>` and `recon-<tenant>`.
 */
import { excludeSystemEvents, streamNameFilter, type Filter, type Position } from '@eventstore/db-client';


export function isSystemEvent(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$');
}

/** Prefixes as given, checked: non-empty strings, not system streams. */
export function validatePrefixes(prefixes: readonly string[]): string[] {
  return prefixes.map((prefix) => {
    if (typeof prefix !== 'string' || prefix.length === 0) throw new TypeError(`a stream prefix must be a non-empty string, got ${JSON.stringify(prefix)}`);
    if (prefix.startsWith('$')) throw new TypeError(`stream prefix ${prefix} names system streams, which readers never see`);
    return prefix;
  });
}

/**
 * The server-side filter of a subscription. Prefixes are literal (no wildcards: `_` and `%`
 * match only themselves). An empty list matches nothing and has no server filter: callers do
 * not subscribe then (see `matchesNothing`).
 */
export function buildSubscriptionFilter(prefixes?: readonly string[], checkpoints?: CheckpointOptions): Filter {
  if (prefixes === undefined) return excludeSystemEvents(checkpoints);
  if (prefixes.length === 0) throw new RangeError('an empty prefix list matches no stream; there is no filter for it');
  return streamNameFilter({ prefixes: validatePrefixes(prefixes), ...checkpoints });
}

/**
 * A filtered subscription's checkpoints: the server sends one after every `checkpointInterval`
 * x 32 events it has looked through (its search window; Enumerator.AllSubscriptionFiltered.cs),
 * to `checkpointReached`, which client 6.x awaits before it passes on anything later.
 */
export interface CheckpointOptions {
  checkpointInterval: number;
  checkpointReached: (subscription: unknown, position: Position) => Promise<void>;
}

export function matchesNothing(prefixes?: readonly string[]): boolean {
  return prefixes !== undefined && prefixes.length === 0;
}

/** The same selection, client-side: for reads, and as a guard behind the server's filter. */
export function acceptsEvent(streamId: string, type: string, prefixes?: readonly string[]): boolean {
  if (isSystemEvent(streamId, type)) return false;
  if (prefixes === undefined) return true;
  return prefixes.some((prefix) => streamId.startsWith(prefix));
}
