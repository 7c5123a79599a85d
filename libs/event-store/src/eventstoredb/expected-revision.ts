/**
 * Expected revisions between the port and EventStoreDB. The two use the same vocabulary:
 * 'no_stream' (the stream must not exist), 'any' (no check) and an exact revision of the
 * stream's last event (0-based).
 */
import { ANY, NO_STREAM, type AppendExpectedRevision } from '@eventstore/db-client';
import { ExpectedRevision } from '../event-store.port.js';
import { UINT64_MAX } from './position.js';

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'any') return ANY;
  if (typeof expected !== 'bigint') throw new TypeError(`expected revision must be 'no_stream', 'any' or a bigint, got ${String(expected)}`);
  if (expected < 0n || expected > UINT64_MAX) throw new RangeError(`expected revision ${expected} is outside [0, 2^64 - 1]`);
  return expected;
}

/**
 * The stream's actual revision as EventStoreDB reports it in a WrongExpectedVersion: a bigint,
 * or 'no_stream' (also spelled as -1 by some server and client versions, or absent).
 */
export function fromEsdbCurrentRevision(current: unknown): bigint | 'no_stream' {
  if (current === undefined || current === null || current === NO_STREAM) return 'no_stream';
  if (typeof current === 'bigint') return current < 0n ? 'no_stream' : current;
  if (typeof current === 'number' && Number.isSafeInteger(current)) return current < 0 ? 'no_stream' : BigInt(current);
  if (typeof current === 'string' && /^-?\d+$/.test(current)) {
    const value = BigInt(current);
    return value < 0n ? 'no_stream' : value;
  }
  throw new TypeError(`unrecognised current revision from EventStoreDB: ${String(current)}`);
}
