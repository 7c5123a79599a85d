import { RecordedEvent } from '../event-store.port.js';
import { TailCache } from './tail-cache.js';

function events(...positions: number[]): RecordedEvent[] {
  return positions.map((p) => ({
    id: `e${p}`,
    stream_id: 'ledger-t',
    revision: BigInt(p),
    position: BigInt(p),
    type: 't',
    data: {},
    metadata: {},
    created_at: new Date(0),
  }));
}

const positions = (read: RecordedEvent[] | null) => read?.map((e) => Number(e.position)) ?? null;

/** A page of unit-sized events. */
function add(cache: TailCache, after: number, ...at: number[]): void {
  cache.add(BigInt(after), events(...at), at.map(() => 1));
}

describe('TailCache', () => {
  it('answers a read inside a kept page with the events after the position, up to the count', () => {
    const cache = new TailCache(100, 1000);
    add(cache, 10, 11, 12, 14, 15); // 13: a gap the page's reader proved final
    expect(positions(cache.take(10n, 10))).toEqual([11, 12, 14, 15]);
    expect(positions(cache.take(12n, 10))).toEqual([14, 15]);
    expect(positions(cache.take(13n, 10))).toEqual([14, 15]);
    expect(positions(cache.take(11n, 2))).toEqual([12, 14]);
  });

  it('knows nothing before a page, nor at or past its last event (a later event may exist)', () => {
    const cache = new TailCache(100, 1000);
    add(cache, 10, 11, 12);
    expect(cache.take(9n, 10)).toBeNull(); // position 10 is not covered
    expect(cache.take(12n, 10)).toBeNull();
    expect(cache.take(20n, 10)).toBeNull();
  });

  it('joins pages that touch or overlap into one run, and keeps a hole between runs', () => {
    const cache = new TailCache(100, 1000);
    add(cache, 0, 1, 2, 3);
    add(cache, 3, 4, 5); // touches
    add(cache, 7, 8, 9); // 6..7 never read: a hole
    add(cache, 1, 2, 3, 4); // inside the first run
    add(cache, 0, 1, 2); // inside too
    expect(cache.held).toEqual({ events: 7, bytes: 7, runs: 2 });
    expect(positions(cache.take(1n, 10))).toEqual([2, 3, 4, 5]);
    expect(positions(cache.take(1n, 3))).toEqual([2, 3, 4]);
    expect(positions(cache.take(7n, 10))).toEqual([8, 9]);
    expect(cache.take(5n, 10)).toBeNull();
    add(cache, 4, 5, 8); // a page read across the hole (6 and 7 proved empty) joins both runs
    expect(cache.held).toEqual({ events: 7, bytes: 7, runs: 1 });
    expect(positions(cache.take(0n, 10))).toEqual([1, 2, 3, 4, 5, 8, 9]);
  });

  it('a quiet log read one event at a time stays one run (no scan of many pages)', () => {
    const cache = new TailCache(100_000, 1_000_000);
    for (let p = 1; p <= 20_000; p++) add(cache, p - 1, p);
    add(cache, 19_990, 19_991, 19_992); // a follower's page inside the newest run adds nothing
    expect(cache.held).toEqual({ events: 20_000, bytes: 20_000, runs: 1 });
    expect(positions(cache.take(4_999n, 3))).toEqual([5_000, 5_001, 5_002]);
  });

  it('keeps at most its bound of events, dropping the oldest first; the rest stays a complete run', () => {
    const cache = new TailCache(4, 1000);
    add(cache, 0, 1, 2);
    add(cache, 2, 3, 4);
    add(cache, 4, 5, 6);
    expect(cache.held).toEqual({ events: 4, bytes: 4, runs: 1 });
    expect(cache.take(0n, 10)).toBeNull();
    expect(cache.take(1n, 10)).toBeNull();
    expect(positions(cache.take(2n, 10))).toEqual([3, 4, 5, 6]);
    add(cache, 6, 7, 8, 9, 10, 11); // larger than the bound on its own: its newest events stay
    expect(positions(cache.take(7n, 10))).toEqual([8, 9, 10, 11]);
    expect(cache.take(6n, 10)).toBeNull();
  });

  it('keeps at most its bound of runs apart, dropping the oldest runs first', () => {
    const cache = new TailCache(100, 1000, 3);
    for (const at of [10, 20, 30, 40, 50]) add(cache, at, at + 1, at + 2); // five runs with holes between
    expect(cache.held).toEqual({ events: 6, bytes: 6, runs: 3 });
    expect(cache.take(10n, 10)).toBeNull();
    expect(cache.take(20n, 10)).toBeNull();
    expect(positions(cache.take(30n, 10))).toEqual([31, 32]);
    expect(positions(cache.take(50n, 10))).toEqual([51, 52]);
  });

  it('keeps at most its bound of stored bytes (a posting of 512 entries weighs as much as hundreds of small ones)', () => {
    const cache = new TailCache(1000, 100);
    cache.add(0n, events(1, 2, 3), [10, 10, 10]);
    cache.add(3n, events(4), [95]);
    expect(cache.held).toEqual({ events: 1, bytes: 95, runs: 1 });
    expect(positions(cache.take(3n, 10))).toEqual([4]);
    expect(cache.take(2n, 10)).toBeNull();
  });
});
