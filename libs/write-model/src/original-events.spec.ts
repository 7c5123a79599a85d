import { RecordedEvent } from '#event-store/index.js';
import { AppendedGroup, eventsInGroup, eventsOfRecord, firstInGroup } from './original-events.js';

const event = (revision: number, key = 'k'): RecordedEvent => ({
  id: `event-${revision}`,
  stream_id: 'ledger-t',
  revision: BigInt(revision),
  position: BigInt(revision + 1),
  type: 'account.created',
  data: {},
  metadata: { idempotency_key: key },
  created_at: new Date(0),
});
const ids = (events: RecordedEvent[] | null) => events && events.map((e) => e.id);

/** This group appended revisions 10 to 14. */
const appended: AppendedGroup = { events: [10, 11, 12, 13, 14].map((r) => event(r)), firstRevision: 10n };
const nothingAppended: AppendedGroup = { events: [], firstRevision: 10n };

describe('firstInGroup / eventsInGroup', () => {
  it("finds a replayed command's events in this group's append when its first command was in it", () => {
    const record = { request_hash: 'h', first_revision: 12n, event_count: 2 };
    expect(firstInGroup(record, appended)).toBe(true);
    expect(ids(eventsInGroup(record, appended))).toEqual(['event-12', 'event-13']);
    expect(ids(eventsInGroup({ ...record, first_revision: 10n, event_count: 1 }, appended))).toEqual(['event-10']);
  });

  it('does not look in the append for a command before the group, or when the group appended nothing', () => {
    expect(firstInGroup({ request_hash: 'h', first_revision: 9n, event_count: 1 }, appended)).toBe(false);
    expect(firstInGroup({ request_hash: 'h', first_revision: 10n, event_count: 1 }, nothingAppended)).toBe(false);
  });
});

describe('eventsOfRecord', () => {
  const record = { request_hash: 'h', first_revision: 3n, event_count: 2 };

  it("takes exactly the record's revisions from the events found by its key", () => {
    expect(ids(eventsOfRecord(record, [event(1), event(3), event(4), event(7)]))).toEqual(['event-3', 'event-4']);
  });

  it('is null unless every one of its events was found (then the caller reads them by revision)', () => {
    expect(eventsOfRecord(record, [event(3)])).toBeNull();
    expect(eventsOfRecord(record, [])).toBeNull();
  });
});
