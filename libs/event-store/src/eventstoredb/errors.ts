/**
 * EventStoreDB client errors -> the port's errors. Recognised by the client's `type` tag (its
 * ErrorType values) or by gRPC status code, so look-alikes from another copy of the client (or a
 * test) map the same way as the client's own classes.
 */
import { APPEND_SIZE_CEILING, EventStoreUnavailableError, ExpectedRevision, WrongExpectedVersionError } from '../event-store.port.js';
import { fromEsdbCurrentRevision } from './expected-revision.js';

/** The client's ErrorType values that mean "the server could not be reached or answer". */
const UNAVAILABLE_TYPES = new Set(['unavailable', 'deadline-exceeded', 'timeout', 'cancelled', 'not-leader']);
/** gRPC status codes with the same meaning: CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE. */
const UNAVAILABLE_GRPC_CODES = new Set([1, 4, 8, 14]);
const UNAVAILABLE_SYSCALL_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE']);
/**
 * A server that is starting, overloaded or between leaders says so in words only. Its batch
 * append answers "Server Is Not Ready", "Server Is Busy" or "No leader info available in
 * response" in a Status whose details are Empty (Streams.BatchAppend.cs), which client 6.x turns
 * into an UnknownError "Could not recognize <message>" (unpackToCommandError); other calls answer
 * "Server Is Too Busy" / "Server Is Not Ready" (RpcExceptions.cs; code UNAVAILABLE, already
 * caught above) or "No leader info available in response" with code UNKNOWN.
 */
const UNAVAILABLE_MESSAGES = /\b(Server Is Not Ready|Server Is (Too )?Busy|No leader info available in response)\b/i;

interface WrongExpectedVersionLike {
  type: 'wrong-expected-version';
  streamName?: string;
  expectedVersion?: unknown;
  actualVersion?: unknown;
}

export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionLike {
  return typeof error === 'object' && error !== null && (error as { type?: unknown }).type === 'wrong-expected-version';
}

export function isStreamNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { type?: unknown }).type === 'stream-not-found';
}

export function isUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { type?: unknown; code?: unknown };
  if (typeof e.type === 'string' && UNAVAILABLE_TYPES.has(e.type)) return true;
  if (typeof e.code === 'number' && UNAVAILABLE_GRPC_CODES.has(e.code)) return true;
  if (typeof e.code === 'string' && UNAVAILABLE_SYSCALL_CODES.has(e.code)) return true;
  const message = (error as { message?: unknown }).message;
  if ((e.type === 'unknown' || e.type === undefined) && typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
  return false;
}

/**
 * Maps a failed append. A WrongExpectedVersion carries the stream and the caller's expected
 * revision as given (not the server's echo of it), and the stream's actual revision.
 */
export function mapAppendError(error: unknown, streamId: string, expected: ExpectedRevision): Error {
  if (isWrongExpectedVersion(error)) {
    return new WrongExpectedVersionError(streamId, expected, fromEsdbCurrentRevision(error.actualVersion));
  }
  if (typeof error === 'object' && error !== null && (error as { type?: unknown }).type === 'maximum-append-size-exceeded') {
    // The server runs with a MaxAppendSize below the one the writer's groups are sized for.
    const max = (error as { maxAppendSize?: unknown }).maxAppendSize;
    return new Error(
      `EventStoreDB refused the append to ${streamId}: over its MaxAppendSize of ${String(max)} bytes; ` +
        `give the ledger's EVENTSTORE_MAX_APPEND_SIZE the server's value, or run the server with ${APPEND_SIZE_CEILING} (as docker-compose.yml does)`,
      { cause: error },
    );
  }
  return mapEsdbError(error, `append to ${streamId}`);
}

/** Maps any other failure: unreachable server -> EventStoreUnavailableError (retryable); else as is. */
export function mapEsdbError(error: unknown, what: string): Error {
  if (error instanceof EventStoreUnavailableError || error instanceof WrongExpectedVersionError) return error;
  if (isUnavailable(error)) {
    const detail = error instanceof Error && error.message ? `: ${error.message}` : '';
    return new EventStoreUnavailableError(`event store unavailable (EventStoreDB, ${what})${detail}`, error);
  }
  if (error instanceof Error) return error;
  return new Error(`EventStoreDB ${what} failed: ${String(error)}`);
}
