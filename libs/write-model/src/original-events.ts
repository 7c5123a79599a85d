import { IdempotencyRecord } from '#domain/index.js';
import { EventStore, RecordedEvent, StreamLookup } from '#event-store/index.js';
import { PlannedReplay } from './group-plan.js';
import { groupByKey, LEDGER_LOOKUPS } from './record-cache.js';

/** What one group appended: its events, recorded, and the stream revision of the first. */
export interface AppendedGroup {
  events: RecordedEvent[];
  firstRevision: bigint;
}

/**
 * The events an idempotent replay answers with: exactly the events its key's first command
 * produced (a replay appends nothing, so they are all the events carrying the key, from the
 * record's first revision on).
 */
export class OriginalEvents {
  constructor(
    private readonly store: EventStore,
    private readonly stream: string,
    /** Null when the store cannot look events up by key: each is read back by revision (`of`). */
    private readonly lookup: StreamLookup | null,
  ) {}

  /**
   * The original events of the group's replays whose first command was not in this group's
   * append, in one lookup by their idempotency keys, less the keys `recalledByKey` (what
   * RecordCache.recall brought back for this group) already holds; it gains the lookup's finds.
   * A replay missing from the answer is read back with `of`.
   */
  async recall(replays: readonly PlannedReplay[], appended: AppendedGroup, upTo: bigint, recalledByKey: Map<string, RecordedEvent[]>): Promise<Map<PlannedReplay, RecordedEvent[]>> {
    const found = new Map<PlannedReplay, RecordedEvent[]>();
    if (!this.lookup) return found;
    const earlier = replays.filter((replay) => !firstInGroup(replay.record, appended));
    if (earlier.length === 0) return found;
    const keys = [...new Set(earlier.map((replay) => replay.pending.envelope.idempotency_key!))].filter((key) => !recalledByKey.has(key));
    if (keys.length > 0) groupByKey(await this.lookup.findInStream(this.stream, LEDGER_LOOKUPS.idempotency_key, keys, upTo), recalledByKey);
    for (const replay of earlier) {
      const events = eventsOfRecord(replay.record, recalledByKey.get(replay.pending.envelope.idempotency_key!) ?? []);
      if (events) found.set(replay, events);
    }
    return found;
  }

  /** The events a key's first command produced: from this group's append, or read back from the log. */
  async of(record: IdempotencyRecord, appended: AppendedGroup): Promise<RecordedEvent[]> {
    if (firstInGroup(record, appended)) return eventsInGroup(record, appended);
    return this.store.readStream(this.stream, { fromRevision: record.first_revision, maxCount: record.event_count });
  }
}

/** Whether the record's first command was in this group's append. */
export function firstInGroup(record: IdempotencyRecord, appended: AppendedGroup): boolean {
  return appended.events.length > 0 && record.first_revision >= appended.firstRevision;
}

/** The record's events within this group's append (see firstInGroup). */
export function eventsInGroup(record: IdempotencyRecord, appended: AppendedGroup): RecordedEvent[] {
  const start = Number(record.first_revision - appended.firstRevision);
  return appended.events.slice(start, start + record.event_count);
}

/** The record's events among those found by its key, or null unless all of them are there. */
export function eventsOfRecord(record: IdempotencyRecord, withKey: readonly RecordedEvent[]): RecordedEvent[] | null {
  const end = record.first_revision + BigInt(record.event_count);
  const events = withKey.filter((event) => event.revision >= record.first_revision && event.revision < end);
  return events.length === record.event_count ? events : null;
}
