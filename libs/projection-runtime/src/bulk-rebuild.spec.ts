import { bulkApplied, copyText } from './bulk-rebuild.js';
import { Projection } from './projection.js';

describe('copyText: a value as COPY text input', () => {
  it('writes null and undefined as \\N, numbers and booleans as their text', () => {
    expect([null, undefined, 42, true, false, '12.50'].map(copyText)).toEqual(['\\N', '\\N', '42', 'true', 'false', '12.50']);
  });

  it('escapes backslash, tab, newline and carriage return, and nothing else', () => {
    expect(copyText('a\\b\tc\nd\re "q" ü')).toBe('a\\\\b\\tc\\nd\\re "q" ü');
    expect(copyText('\\N')).toBe('\\\\N'); // the text "\N", not a null
  });

  it('writes an object as its JSON (escaped like any text) and a Date as its ISO time', () => {
    expect(copyText({ note: 'a\tb', n: 1 })).toBe('{"note":"a\\\\tb","n":1}');
    expect(copyText(new Date('2030-01-01T00:00:00Z'))).toBe('2030-01-01T00:00:00.000Z');
  });
});

describe('bulkApplied: the projection as a rebuild fills its shadow', () => {
  const base: Projection = { name: 'p', version: 1, tables: ['p'], schema: 'create table p (id int primary key); create index p_x on p (id);', apply: async () => undefined };

  it('creates the tables without the deferred indexes and applies by the bulk form', async () => {
    const calls: string[] = [];
    const projection: Projection = { ...base, apply: async () => void calls.push('live'), bulk: { indexes: ' create index p_x on p (id);', apply: async () => void calls.push('bulk') } };
    const bulk = bulkApplied(projection);
    expect(bulk.schema).toBe('create table p (id int primary key);');
    await bulk.apply(null as never, []);
    expect(calls).toEqual(['bulk']);
  });

  it('is the projection itself without a bulk form, and refuses indexes that are not the end of its schema', () => {
    expect(bulkApplied(base)).toBe(base);
    expect(() => bulkApplied({ ...base, bulk: { indexes: 'create index other on p (id);' } })).toThrow(/does not end with its deferred indexes/);
  });
});
