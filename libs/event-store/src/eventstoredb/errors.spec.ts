import {
  MaxAppendSizeExceededError,
  NO_STREAM,
  StreamNotFoundError,
  UnknownError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
} from '@eventstore/db-client';
import { EventStoreUnavailableError, WrongExpectedVersionError } from '../event-store.port.js';
import { isStreamNotFound, isUnavailable, isWrongExpectedVersion, mapAppendError, mapEsdbError } from './errors.js';

function clientWrongExpectedVersion(streamName: string, expected: any, current: any): EsdbWrongExpectedVersionError {
  return new EsdbWrongExpectedVersionError(undefined, { streamName, expected, current });
}

describe('EventStoreDB error mapping', () => {
  it("maps the client's WrongExpectedVersionError to the port's, with stream, expected and actual", () => {
    const error = mapAppendError(clientWrongExpectedVersion('ledger-t1', 5n, 1n), 'ledger-t1', 5n);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toBeInstanceOf(Error);
    const wrong = error as WrongExpectedVersionError;
    expect(wrong.name).toBe('WrongExpectedVersionError');
    expect(wrong.stream_id).toBe('ledger-t1');
    expect(wrong.expected).toBe(5n);
    expect(wrong.actual).toBe(1n);
    expect(wrong.message).toBe('wrong expected version for ledger-t1: expected 5, actual 1');
  });

  it("maps a missing stream to actual 'no_stream', and 'no_stream' on an existing stream to its revision", () => {
    const missing = mapAppendError(clientWrongExpectedVersion('s', 0n, NO_STREAM), 's', 0n) as WrongExpectedVersionError;
    expect(missing).toBeInstanceOf(WrongExpectedVersionError);
    expect(missing.actual).toBe('no_stream');

    const existing = mapAppendError(clientWrongExpectedVersion('s', NO_STREAM, 0n), 's', 'no_stream') as WrongExpectedVersionError;
    expect(existing.expected).toBe('no_stream');
    expect(existing.actual).toBe(0n);
  });

  it("reports the caller's expected revision and stream, not the server's echo", () => {
    const wrong = mapAppendError(clientWrongExpectedVersion('other-name', 'any', 3n), 'ledger-t2', 2n) as WrongExpectedVersionError;
    expect(wrong.stream_id).toBe('ledger-t2');
    expect(wrong.expected).toBe(2n);
    expect(wrong.actual).toBe(3n);
  });

  it('recognises a look-alike (another copy of the client) by its type tag', () => {
    const lookAlike = Object.assign(new Error('wrong'), { type: 'wrong-expected-version', streamName: 's', expectedVersion: 1n, actualVersion: -1n });
    expect(isWrongExpectedVersion(lookAlike)).toBe(true);
    const wrong = mapAppendError(lookAlike, 's', 1n) as WrongExpectedVersionError;
    expect(wrong).toBeInstanceOf(WrongExpectedVersionError);
    expect(wrong.actual).toBe('no_stream');
    expect(isWrongExpectedVersion(new Error('x'))).toBe(false);
    expect(isWrongExpectedVersion(null)).toBe(false);
  });

  it('maps an unreachable server to EventStoreUnavailableError (retryable), keeping the cause', () => {
    const cases = [
      Object.assign(new Error('No connection established'), { type: 'unavailable' }),
      Object.assign(new Error('deadline'), { type: 'deadline-exceeded' }),
      Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2113'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('getaddrinfo ENOTFOUND eventstore'), { code: 'ENOTFOUND' }),
    ];
    for (const cause of cases) {
      expect(isUnavailable(cause)).toBe(true);
      const mapped = mapEsdbError(cause, 'read of $all');
      expect(mapped).toBeInstanceOf(EventStoreUnavailableError);
      expect(mapped.message).toContain('read of $all');
      expect((mapped as EventStoreUnavailableError).cause).toBe(cause);
      expect(mapAppendError(cause, 's', 'any')).toBeInstanceOf(EventStoreUnavailableError);
    }
  });

  it('maps a busy, starting or leaderless server (said in words only) to EventStoreUnavailableError', () => {
    // Mirrors the server: Streams.BatchAppend.cs answers NotHandled TooBusy/NotReady/NotLeader
    // with a Status of Empty details and these messages; the client's unpackToCommandError turns
    // that into `new UnknownError(undefined, 'Could not recognize <message>')`. Other calls
    // answer with RpcExceptions.ServerBusy/ServerNotReady (code UNAVAILABLE) or NoLeaderInfo
    // (code UNKNOWN).
    const cases = [
      new UnknownError(undefined, 'Could not recognize Server Is Busy'),
      new UnknownError(undefined, 'Could not recognize Server Is Not Ready'),
      new UnknownError(undefined, 'Could not recognize No leader info available in response'),
      Object.assign(new Error('2 UNKNOWN: No leader info available in response'), { type: 'unknown', code: 2 }),
      Object.assign(new Error('14 UNAVAILABLE: Server Is Too Busy'), { type: 'unavailable', code: 14 }),
    ];
    for (const cause of cases) {
      const mapped = mapAppendError(cause, 'ledger-t1', 3n);
      expect(mapped).toBeInstanceOf(EventStoreUnavailableError);
      expect((mapped as EventStoreUnavailableError).cause).toBe(cause);
      expect(mapEsdbError(cause, 'read of $all')).toBeInstanceOf(EventStoreUnavailableError);
    }
    // Any other unknown error is not retryable.
    const other = new UnknownError(undefined, 'Could not recognize Something Else');
    expect(mapEsdbError(other, 'x')).toBe(other);
  });

  it("says how to fix a server whose MaxAppendSize is below the ledger's appends (its default is 1 MiB)", () => {
    // Streams.Append.cs: RpcExceptions.MaxAppendSizeExceeded; the client's MaxAppendSizeExceededError carries the limit.
    const cause = new MaxAppendSizeExceededError(undefined, 1048576);
    const mapped = mapAppendError(cause, 'ledger-t1', 'any');
    expect(mapped.message).toBe(
      "EventStoreDB refused the append to ledger-t1: over its MaxAppendSize of 1048576 bytes; give the ledger's EVENTSTORE_MAX_APPEND_SIZE the server's value, or run the server with 16767216 (as docker-compose.yml does)",
    );
    expect(mapped.cause).toBe(cause);
  });

  it('passes other errors through, and wraps non-errors', () => {
    const denied = Object.assign(new Error('Access denied'), { type: 'access-denied' });
    expect(mapEsdbError(denied, 'x')).toBe(denied);
    const port = new WrongExpectedVersionError('s', 0n, 1n);
    expect(mapEsdbError(port, 'x')).toBe(port);
    const wrapped = mapEsdbError('boom', 'append to s');
    expect(wrapped).toBeInstanceOf(Error);
    expect(wrapped.message).toContain('boom');
  });

  it("recognises the client's StreamNotFoundError", () => {
    expect(isStreamNotFound(new StreamNotFoundError(undefined, 'missing'))).toBe(true);
    expect(isStreamNotFound(Object.assign(new Error(), { type: 'stream-not-found' }))).toBe(true);
    expect(isStreamNotFound(new Error('stream-not-found'))).toBe(false);
  });
});
