import { END, START } from '@eventstore/db-client';
import { readPositionAfter } from './eventstoredb-event-store.js';
import { decodePosition, encodePosition, formatPosition, POSITION_MAX, SERVER_OFFSET_MAX, serverPositionAtOrBefore, UINT64_MAX } from './position.js';

const INT8_MAX = (1n << 63n) - 1n;

/** Deterministic pseudo-random uint64 values (xorshift64*). */
function* uint64s(count: number, seed = 0x9e3779b97f4a7c15n): Generator<bigint> {
  let x = seed;
  for (let i = 0; i < count; i++) {
    x ^= x >> 12n;
    x ^= (x << 25n) & UINT64_MAX;
    x ^= x >> 27n;
    yield (x * 0x2545f4914f6cdd1dn) & UINT64_MAX;
  }
}

describe('EventStoreDB position encoding (commit << 64 | prepare)', () => {
  const edges = [0n, 1n, 2n, 4096n, INT8_MAX, 1n << 63n, UINT64_MAX - 1n, UINT64_MAX];

  it('round-trips every pair of edge values, including max uint64', () => {
    for (const commit of edges) {
      for (const prepare of edges) {
        const encoded = encodePosition({ commit, prepare });
        expect(decodePosition(encoded)).toEqual({ commit, prepare });
      }
    }
    expect(encodePosition({ commit: UINT64_MAX, prepare: UINT64_MAX })).toBe(POSITION_MAX);
    expect(decodePosition(POSITION_MAX)).toEqual({ commit: UINT64_MAX, prepare: UINT64_MAX });
  });

  it('round-trips pseudo-random pairs, and integers back through pairs', () => {
    const values = [...uint64s(400)];
    for (let i = 0; i + 1 < values.length; i += 2) {
      const pair = { commit: values[i], prepare: values[i + 1] };
      expect(decodePosition(encodePosition(pair))).toEqual(pair);
    }
    for (const value of [0n, 1n, UINT64_MAX, 1n << 64n, (1n << 64n) + 1n, POSITION_MAX - 1n, POSITION_MAX]) {
      expect(encodePosition(decodePosition(value))).toBe(value);
    }
  });

  it('is the documented layout', () => {
    expect(encodePosition({ commit: 0n, prepare: 0n })).toBe(0n);
    expect(encodePosition({ commit: 0n, prepare: 5n })).toBe(5n);
    expect(encodePosition({ commit: 1n, prepare: 0n })).toBe(1n << 64n);
    expect(encodePosition({ commit: 3n, prepare: 7n })).toBe(3n * 2n ** 64n + 7n);
    // A self-committed event (commit === prepare) at log offset n encodes as n * (2^64 + 1).
    expect(encodePosition({ commit: 1234n, prepare: 1234n })).toBe(1234n * (2n ** 64n + 1n));
  });

  it('preserves the lexicographic order of $all', () => {
    const pairs = [
      { commit: 0n, prepare: 0n },
      { commit: 0n, prepare: UINT64_MAX },
      { commit: 1n, prepare: 0n },
      { commit: 1n, prepare: 1n },
      { commit: 100n, prepare: 99n }, // a legacy commit record after its prepares
      { commit: 100n, prepare: 100n },
      { commit: 100n, prepare: UINT64_MAX },
      { commit: INT8_MAX, prepare: INT8_MAX },
      { commit: UINT64_MAX, prepare: 0n },
      { commit: UINT64_MAX, prepare: UINT64_MAX },
    ];
    const encoded = pairs.map(encodePosition);
    for (let i = 1; i < encoded.length; i++) expect(encoded[i]).toBeGreaterThan(encoded[i - 1]);
  });

  it('one below an event position keeps its commit part, so a read "from this event on" seeks to the event', () => {
    for (const offset of [1n, 4096n, 123_456_789n, INT8_MAX]) {
      const event = encodePosition({ commit: offset, prepare: offset });
      expect(decodePosition(event - 1n)).toEqual({ commit: offset, prepare: offset - 1n });
      expect(event - 1n).toBeLessThan(event);
    }
  });

  it('rejects values outside uint64 / 128 bits, and non-bigints', () => {
    expect(() => encodePosition({ commit: -1n, prepare: 0n })).toThrow(RangeError);
    expect(() => encodePosition({ commit: 0n, prepare: UINT64_MAX + 1n })).toThrow(/outside uint64/);
    expect(() => encodePosition({ commit: 1 as unknown as bigint, prepare: 0n })).toThrow(TypeError);
    expect(() => decodePosition(-1n)).toThrow(RangeError);
    expect(() => decodePosition(POSITION_MAX + 1n)).toThrow(/2\^128/);
    expect(() => decodePosition(5 as unknown as bigint)).toThrow(TypeError);
  });

  it('formats as commit/prepare', () => {
    expect(formatPosition(encodePosition({ commit: 42n, prepare: 41n }))).toBe('42/41');
  });

  it('maps afterPosition 0n (or none) to the start of $all, anything else to its pair', () => {
    expect(readPositionAfter(undefined)).toBe(START);
    expect(readPositionAfter(0n)).toBe(START);
    expect(readPositionAfter(encodePosition({ commit: 9n, prepare: 8n }))).toEqual({ commit: 9n, prepare: 8n });
  });

  it('never hands the server a pair its Position constructor throws for (prepare > commit, an offset above int64)', () => {
    // Services/Transport/Common/Position.cs: commit < prepare, or an offset above long.MaxValue
    // other than End's, throws ArgumentOutOfRangeException.
    expect(serverPositionAtOrBefore(encodePosition({ commit: 9n, prepare: 12n }))).toEqual({ commit: 9n, prepare: 9n });
    expect(serverPositionAtOrBefore(encodePosition({ commit: INT8_MAX, prepare: INT8_MAX }))).toEqual({ commit: INT8_MAX, prepare: INT8_MAX });
    expect(serverPositionAtOrBefore(encodePosition({ commit: SERVER_OFFSET_MAX + 1n, prepare: 0n }))).toBeNull();
    expect(readPositionAfter(encodePosition({ commit: 1n << 63n, prepare: 0n }))).toBe(END);
    expect(readPositionAfter(POSITION_MAX + 1n)).toBe(END);
    expect(readPositionAfter(-5n)).toBe(START);
    for (const commit of uint64s(200)) {
      for (const prepare of [0n, commit, commit + 1n, UINT64_MAX]) {
        if (prepare > UINT64_MAX) continue;
        const at = readPositionAfter(encodePosition({ commit, prepare }));
        if (at === END || at === START) continue;
        expect(at.prepare <= at.commit && at.commit <= SERVER_OFFSET_MAX).toBe(true);
      }
    }
  });

  it('does not fit PostgreSQL int8 (the checkpoint column) for any real event, and needs 39 digits at most', () => {
    // The first event of a log is past the first chunk header, so commit >= 1: already above int8.
    expect(encodePosition({ commit: 1n, prepare: 1n })).toBeGreaterThan(INT8_MAX);
    expect(POSITION_MAX.toString()).toHaveLength(39);
  });
});
