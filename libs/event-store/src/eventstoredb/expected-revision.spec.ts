import { ANY, NO_STREAM } from '@eventstore/db-client';
import { fromEsdbCurrentRevision, toEsdbExpectedRevision } from './expected-revision.js';
import { UINT64_MAX } from './position.js';

describe('expected revision mapping (port -> EventStoreDB)', () => {
  it("maps 'no_stream', 'any' and exact revisions", () => {
    expect(toEsdbExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toEsdbExpectedRevision('any')).toBe(ANY);
    expect(toEsdbExpectedRevision(0n)).toBe(0n);
    expect(toEsdbExpectedRevision(41n)).toBe(41n);
    expect(toEsdbExpectedRevision(UINT64_MAX)).toBe(UINT64_MAX);
  });

  it('never produces stream_exists (the port has no such expectation)', () => {
    for (const expected of ['no_stream', 'any', 0n, 7n] as const) expect(toEsdbExpectedRevision(expected)).not.toBe('stream_exists');
  });

  it('rejects negative, too large and non-bigint revisions', () => {
    expect(() => toEsdbExpectedRevision(-1n)).toThrow(RangeError);
    expect(() => toEsdbExpectedRevision(UINT64_MAX + 1n)).toThrow(RangeError);
    expect(() => toEsdbExpectedRevision(3 as unknown as bigint)).toThrow(TypeError);
    expect(() => toEsdbExpectedRevision('stream_exists' as unknown as bigint)).toThrow(TypeError);
  });
});

describe('current revision mapping (EventStoreDB -> port)', () => {
  it('keeps revisions and maps every spelling of "no stream"', () => {
    expect(fromEsdbCurrentRevision(0n)).toBe(0n);
    expect(fromEsdbCurrentRevision(12n)).toBe(12n);
    expect(fromEsdbCurrentRevision('no_stream')).toBe('no_stream');
    expect(fromEsdbCurrentRevision(-1n)).toBe('no_stream');
    expect(fromEsdbCurrentRevision(undefined)).toBe('no_stream');
    expect(fromEsdbCurrentRevision(null)).toBe('no_stream');
    expect(fromEsdbCurrentRevision(5)).toBe(5n);
    expect(fromEsdbCurrentRevision(-1)).toBe('no_stream');
    expect(fromEsdbCurrentRevision('18446744073709551615')).toBe(UINT64_MAX);
    expect(fromEsdbCurrentRevision('-1')).toBe('no_stream');
  });

  it('refuses what it cannot read', () => {
    expect(() => fromEsdbCurrentRevision('soon')).toThrow(TypeError);
    expect(() => fromEsdbCurrentRevision(1.5)).toThrow(TypeError);
  });
});
