import { encodeEvents } from './postgres-event-store.js';

const eventsJson = (events: Parameters<typeof encodeEvents>[0]) => encodeEvents(events).json;

describe('eventsJson', () => {
  it('is the JSON array of {id, type, data, metadata}, using the serialized text when given', () => {
    const events = [
      { id: '00000000-0000-4000-8000-000000000001', type: 'a"b\\c', data: { x: 1 }, metadata: { m: 'é' } },
      { id: '00000000-0000-4000-8000-000000000002', type: 't', data: { ignored: true }, metadata: {}, serialized: { data: '{"y":"\\"q\\""}', metadata: '{"k":[1,2]}' } },
    ];
    expect(JSON.parse(eventsJson(events))).toEqual([
      { id: events[0].id, type: 'a"b\\c', data: { x: 1 }, metadata: { m: 'é' } },
      { id: events[1].id, type: 't', data: { y: '"q"' }, metadata: { k: [1, 2] } },
    ]);
  });

  it('refuses data that is not JSON (a bigint, or nothing)', () => {
    expect(() => eventsJson([{ id: 'x', type: 't', data: { n: 1n }, metadata: {} }])).toThrow(TypeError);
    expect(() => eventsJson([{ id: 'x', type: 't', data: undefined, metadata: {} }])).toThrow(TypeError);
  });
});
