/**
 * EventStoreDB positions in the port's `bigint`.
 *
 * An EventStoreDB position in $all is a pair of unsigned 64-bit log offsets, {commit, prepare},
 * ordered lexicographically: first by commit, then by prepare. The port has one `bigint`, so we
 * pack the pair as
 *
 *     position = commit << 64 | prepare        (0 <= commit, prepare < 2^64)
 *
 * which is:
 * - lossless: every pair of uint64 values maps to exactly one integer in [0, 2^128) and back
 *   (decodePosition(encodePosition(p)) deep-equals p, including both parts at 2^64 - 1);
 * - order-preserving: a < b as bigints exactly when a's pair is before b's pair, so "strictly
 *   increasing positions in the order a reader of $all sees events" holds as it does in PostgreSQL;
 * - 0n for {0, 0}, which is the start of the log: `afterPosition: 0n` reads from the start.
 *
 * Events written by EventStoreDB 20+ commit themselves, so their pair has commit === prepare
 * (their own log offset) and an encoded position is `offset * (2^64 + 1)`. A position one below an
 * event's (`p - 1n`, which callers use to read "from this event on") decodes to
 * {commit: offset, prepare: offset - 1}: its commit part is still the event's record boundary,
 * where the server starts to scan, and the server returns events whose pair is >= the one asked
 * for, so the event itself comes back. Readers only ever hand the server positions that came
 * from events (or are one below one), never arbitrary integers.
 *
 * Encoded positions do not fit PostgreSQL's int8 (any commit offset >= 1 gives >= 2^64), so
 * tables that store positions of this log need numeric(39,0) columns (2^128 - 1 has 39 digits).
 */
import type { Position } from '@eventstore/db-client';

export const UINT64_MAX = (1n << 64n) - 1n;
/** The largest encodable position: both parts at 2^64 - 1. */
export const POSITION_MAX = (1n << 128n) - 1n;

function assertUint64(value: bigint, what: string): void {
  if (typeof value !== 'bigint') throw new TypeError(`${what} must be a bigint, got ${typeof value}`);
  if (value < 0n || value > UINT64_MAX) throw new RangeError(`${what} ${value} is outside uint64 [0, 2^64 - 1]`);
}

/** {commit, prepare} -> commit << 64 | prepare. */
export function encodePosition(position: Position): bigint {
  assertUint64(position.commit, 'commit position');
  assertUint64(position.prepare, 'prepare position');
  return (position.commit << 64n) | position.prepare;
}

/** commit << 64 | prepare -> {commit, prepare}. */
export function decodePosition(encoded: bigint): Position {
  if (typeof encoded !== 'bigint') throw new TypeError(`position must be a bigint, got ${typeof encoded}`);
  if (encoded < 0n || encoded > POSITION_MAX) throw new RangeError(`position ${encoded} is outside [0, 2^128 - 1]`);
  return { commit: encoded >> 64n, prepare: encoded & UINT64_MAX };
}

/** A position as text for logs and errors: "commit/prepare". */
export function formatPosition(encoded: bigint): string {
  const { commit, prepare } = decodePosition(encoded);
  return `${commit}/${prepare}`;
}

/**
 * The largest offset the server takes in a position it is given: it keeps offsets as int64 and
 * its Position constructor (Services/Transport/Common/Position.cs) throws for a commit or prepare
 * above this (other than both at 2^64 - 1, its End), and for prepare > commit. Those throws reach
 * the client as an unknown error, so a position no event can have is settled here, never sent.
 */
export const SERVER_OFFSET_MAX = (1n << 63n) - 1n;

/**
 * Where to ask the server to start for "the events after `encoded`", or null when no event can be
 * after it (a commit offset beyond any the server can write). For prepare > commit, no event sits
 * at that commit offset after the position (an event's prepare is never above its commit), so the
 * start moves back to {commit, commit}: the events there are before `encoded`, and readers drop
 * what is not strictly after their cursor.
 */
export function serverPositionAtOrBefore(encoded: bigint): Position | null {
  const { commit, prepare } = decodePosition(encoded);
  if (commit > SERVER_OFFSET_MAX) return null;
  return prepare > commit ? { commit, prepare: commit } : { commit, prepare };
}
