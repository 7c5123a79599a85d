import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { FORGETTABLE_RECORDS } from './record-cache.js';
import { emptyWriterState, WriterState } from './writer-state.js';

/**
 * The format of a writer snapshot. Bump it whenever the writer's state changes shape or meaning
 * (a field added, renamed or folded differently): snapshots of another version are ignored and
 * the tenant is replayed from the log once. state-snapshot.spec.ts pins the shape this version
 * stands for and fails, saying so, when the state no longer has it.
 */
export const WRITER_SNAPSHOT_VERSION = 3;
/** Idempotency keys, transactions and holds a snapshot keeps, each (the newest); the others are recalled from the log when needed. */
export const SNAPSHOT_RECORDS_MAX = 1_000;
/** A state whose snapshot would be larger is not snapshotted (its writer replays from the log, as before snapshots). */
export const SNAPSHOT_BYTES_MAX = 64 * 2 ** 20;

export interface StateSnapshot {
  version: number;
  /** Stream revision of the last event folded into the state. */
  revision: bigint;
  /** That event's hash: the snapshot is only valid on a stream that still has it there. */
  chain_head: string;
  /** The state, serialized by V8's structured serializer (Maps, bigints and shared references survive). */
  bytes: Buffer;
  /** SHA-256 (hex) of `bytes`, checked before they are read. */
  sha256: string;
}

/**
 * The top-level fields of the writer's state. Stored in every snapshot and compared on load, so
 * that a field added to the state makes older snapshots unusable even before the version is
 * bumped (the version covers changes inside records too).
 */
function stateFields(): string {
  return Object.keys(emptyWriterState()).sort().join(',');
}

interface Payload {
  fields: string;
  state: WriterState;
}

/**
 * Serializes the whole state, generically: every field, whatever it holds, except that the
 * records a writer may forget keep only their newest SNAPSHOT_RECORDS_MAX. Null when there is
 * nothing to snapshot yet or the snapshot would exceed SNAPSHOT_BYTES_MAX. Synchronous on
 * purpose: the writer folds into its maps in place, so the bytes must be taken between groups.
 */
export function takeSnapshot(state: WriterState): StateSnapshot | null {
  if (state.revision < 0n || state.chain_head === null) return null;
  const kept: WriterState = { ...state };
  for (const field of FORGETTABLE_RECORDS) (kept as unknown as Record<string, unknown>)[field] = newest(state[field] as Map<string, unknown>, SNAPSHOT_RECORDS_MAX);
  const bytes = serialize({ fields: stateFields(), state: kept } satisfies Payload);
  if (bytes.length > SNAPSHOT_BYTES_MAX) return null;
  return { version: WRITER_SNAPSHOT_VERSION, revision: state.revision, chain_head: state.chain_head, bytes, sha256: sha256(bytes) };
}

/** Why a stored snapshot was not used, or the state it holds. */
export type RestoredSnapshot = { state: WriterState } | { unusable: string };

/** The state in a stored snapshot, when its version, hash and fields are this code's. */
export function restoreSnapshot(snapshot: StateSnapshot): RestoredSnapshot {
  if (snapshot.version !== WRITER_SNAPSHOT_VERSION) return { unusable: `format version ${snapshot.version}, this code reads ${WRITER_SNAPSHOT_VERSION}` };
  if (sha256(snapshot.bytes) !== snapshot.sha256) return { unusable: 'its bytes do not match their SHA-256' };
  let payload: Payload;
  try {
    payload = deserialize(snapshot.bytes) as Payload;
  } catch (error) {
    return { unusable: `unreadable: ${(error as Error).message}` };
  }
  if (payload.fields !== stateFields()) return { unusable: `state fields ${payload.fields}, this code has ${stateFields()}` };
  if (payload.state.revision !== snapshot.revision || payload.state.chain_head !== snapshot.chain_head) return { unusable: 'its state is not at its revision' };
  return { state: payload.state };
}

function newest<V>(map: Map<string, V>, max: number): Map<string, V> {
  if (map.size <= max) return map;
  const entries = [...map.entries()];
  return new Map(entries.slice(entries.length - max));
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
