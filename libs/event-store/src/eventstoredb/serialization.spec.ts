import { randomUUID } from 'node:crypto';
import { NewEvent } from '../event-store.port.js';
import { encodePosition } from './position.js';
import { assertJsonSafe, EsdbRecordedEventLike, toEventData, toRecordedEvent } from './serialization.js';

const decoder = new TextDecoder();

/** What the client does with a JSON event on append, and what a read gives back. */
function throughTheServer(event: NewEvent, position = { commit: 4096n, prepare: 4096n }, revision = 0n): EsdbRecordedEventLike {
  const data = toEventData(event);
  const dataJson = JSON.stringify(data.data);
  const metadataBytes = data.metadata as Uint8Array;
  return {
    id: data.id,
    streamId: 'ledger-t1',
    revision,
    type: data.type,
    created: new Date('2024-05-01T12:00:00.000Z'),
    isJson: true,
    data: JSON.parse(dataJson),
    metadata: metadataBytes.length ? JSON.parse(decoder.decode(metadataBytes)) : undefined,
    position,
  };
}

describe('EventStoreDB serialization', () => {
  const data = {
    amount_minor: '123456789012345678901234567890', // bigint values travel as strings
    currency: 'EUR',
    rate: 1.25,
    nothing: null,
    text: 'zł€ 😀 "quoted" \\ back\\slash\nnewline',
    nested: { list: [1, 'two', null, { deep: [true] }], empty: {}, none: [] },
  };
  const metadata = { tenant_id: 't-1', correlation_id: randomUUID(), causation_id: null, actor: { kind: 'api', scopes: ['a'] } };

  it('writes a JSON event with the id, type, data and metadata as given', () => {
    const event: NewEvent = { id: randomUUID(), type: 'transfer.posted', data, metadata };
    const payload = toEventData(event);
    expect(payload.id).toBe(event.id);
    expect(payload.contentType).toBe('application/json');
    expect(payload.type).toBe('transfer.posted');
    expect(payload.data).toBe(data);
    expect(payload.metadata).toBeInstanceOf(Uint8Array);
    // A plain Uint8Array: the client sends it as bytes only when its constructor is Uint8Array.
    expect((payload.metadata as Uint8Array).constructor).toBe(Uint8Array);
    expect(JSON.parse(decoder.decode(payload.metadata as Uint8Array))).toEqual(metadata);
  });

  it('uses pre-serialized metadata verbatim', () => {
    const serialized = { data: JSON.stringify(data), metadata: '{"tenant_id":"t-9","order":[2,1]}' };
    const payload = toEventData({ id: randomUUID(), type: 't', data, metadata: { ignored: true }, serialized });
    expect(decoder.decode(payload.metadata as Uint8Array)).toBe(serialized.metadata);
  });

  it('round-trips data and metadata, with bigint values as strings, and preserves the id', () => {
    const event: NewEvent = { id: randomUUID(), type: 'transfer.posted', data, metadata };
    const recorded = toRecordedEvent(throughTheServer(event, { commit: 4096n, prepare: 4096n }, 3n));
    expect(recorded).toEqual({
      id: event.id,
      stream_id: 'ledger-t1',
      revision: 3n,
      position: encodePosition({ commit: 4096n, prepare: 4096n }),
      type: 'transfer.posted',
      data,
      metadata,
      created_at: new Date('2024-05-01T12:00:00.000Z'),
    });
    expect(typeof recorded.data.amount_minor).toBe('string');
    expect(BigInt(recorded.data.amount_minor)).toBe(123456789012345678901234567890n);

    const empty: NewEvent = { id: randomUUID(), type: 'empty', data: {}, metadata: {} };
    const back = toRecordedEvent(throughTheServer(empty));
    expect(back.data).toEqual({});
    expect(back.metadata).toEqual({});
  });

  it('refuses bigint values in data or metadata, naming where they are', () => {
    const id = randomUUID();
    expect(() => toEventData({ id, type: 't', data: { amount: 1n }, metadata: {} })).toThrow(/data\.amount is a bigint .*send bigint values as strings/);
    expect(() => toEventData({ id, type: 't', data: { lines: [{ amount: '1' }, { amount: 2n }] }, metadata: {} })).toThrow(/data\.lines\[1\]\.amount/);
    expect(() => toEventData({ id, type: 't', data: {}, metadata: { amount: 1n } })).toThrow(/metadata\.amount/);
    expect(() => toEventData({ id, type: 't', data: 7n, metadata: {} })).toThrow(TypeError);
  });

  it('refuses cycles, but follows toJSON like JSON.stringify', () => {
    const cyclic: any = { a: 1 };
    cyclic.self = cyclic;
    expect(() => assertJsonSafe(cyclic, 'data')).toThrow(/data\.self refers back to itself/);
    const shared = { x: 1 };
    expect(() => assertJsonSafe({ a: shared, b: shared }, 'data')).not.toThrow(); // shared, not cyclic
    expect(() => assertJsonSafe({ at: new Date(0) }, 'data')).not.toThrow();
    expect(() => assertJsonSafe({ big: { toJSON: () => 5n } }, 'data')).toThrow(/data\.big is a bigint/);
  });

  it('refuses ids that are not UUIDs, missing or system types, and missing data', () => {
    expect(() => toEventData({ id: 'not-a-uuid', type: 't', data: {}, metadata: {} })).toThrow(/UUID/);
    expect(() => toEventData({ id: randomUUID(), type: '', data: {}, metadata: {} })).toThrow(/type/);
    expect(() => toEventData({ id: randomUUID(), type: '$metadata', data: {}, metadata: {} })).toThrow(/reserved/);
    expect(() => toEventData({ id: randomUUID(), type: 't', data: undefined, metadata: {} })).toThrow(/no data/);
  });

  it('reads metadata that is absent or bytes, and binary data that holds JSON', () => {
    const base: EsdbRecordedEventLike = {
      id: randomUUID(),
      streamId: 's',
      revision: 0n,
      type: 't',
      created: new Date(0),
      isJson: false,
      data: new TextEncoder().encode('{"a":1}'),
      metadata: undefined,
      position: { commit: 1n, prepare: 1n },
    };
    expect(toRecordedEvent(base)).toMatchObject({ data: { a: 1 }, metadata: {} });
    expect(toRecordedEvent({ ...base, metadata: new TextEncoder().encode('{"tenant_id":"t"}') }).metadata).toEqual({ tenant_id: 't' });
    expect(toRecordedEvent({ ...base, metadata: new TextEncoder().encode('not json') }).metadata).toEqual({});
    const raw = new Uint8Array([0xff, 0x00]);
    expect(toRecordedEvent({ ...base, data: raw }).data).toBe(raw);
  });

  it('refuses an event without a position (servers before 22.6 on stream reads)', () => {
    const event = throughTheServer({ id: randomUUID(), type: 't', data: {}, metadata: {} });
    expect(() => toRecordedEvent({ ...event, position: undefined })).toThrow(/without a position.*22\.6/);
  });
});
