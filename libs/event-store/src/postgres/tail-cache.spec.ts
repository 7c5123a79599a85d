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

describe('TailCache', () => {
  it('answers a read inside a kept page with the events after the position, up to the count', () => {
    const cache = new TailCache(100);
    cache.add(10n, events(11, 12, 14, 15)); // 13: a gap the page's reader proved final
    expect(positions(cache.take(10n, 10))).toEqual([11, 12, 14, 15]);
    expect(positions(cache.take(12n, 10))).toEqual([14, 15]);
    expect(positions(cache.take(13n, 10))).toEqual([14, 15]);
    expect(positions(cache.take(11n, 2))).toEqual([12, 14]);
  });

  it('knows nothing before a page, nor at or past its last event (a later event may exist)', () => {
    const cache = new TailCache(100);
    cache.add(10n, events(11, 12));
    expect(cache.take(9n, 10)).toBeNull(); // position 10 is not covered
    expect(cache.take(12n, 10)).toBeNull();
    expect(cache.take(20n, 10)).toBeNull();
  });

  it('chains pages that cover one another, and stops at a hole between them', () => {
    const cache = new TailCache(100);
    cache.add(0n, events(1, 2, 3));
    cache.add(3n, events(4, 5));
    cache.add(7n, events(8, 9)); // 6..7 never read
    expect(positions(cache.take(1n, 10))).toEqual([2, 3, 4, 5]);
    expect(positions(cache.take(1n, 3))).toEqual([2, 3, 4]);
    expect(positions(cache.take(7n, 10))).toEqual([8, 9]);
    expect(cache.take(5n, 10)).toBeNull();
  });

  it('prefers the page that reaches furthest when pages overlap', () => {
    const cache = new TailCache(100);
    cache.add(0n, events(1, 2));
    cache.add(0n, events(1, 2, 3, 4));
    expect(positions(cache.take(0n, 10))).toEqual([1, 2, 3, 4]);
  });

  it('keeps at most its bound of events, dropping the oldest pages first', () => {
    const cache = new TailCache(4);
    cache.add(0n, events(1, 2));
    cache.add(2n, events(3, 4));
    cache.add(4n, events(5, 6));
    expect(cache.take(0n, 10)).toBeNull();
    expect(positions(cache.take(2n, 10))).toEqual([3, 4, 5, 6]);
    cache.add(6n, events(7, 8, 9, 10, 11)); // larger than the bound: not kept
    expect(cache.take(6n, 10)).toBeNull();
  });
});
