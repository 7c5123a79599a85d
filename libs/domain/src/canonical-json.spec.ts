import { canonicalJson } from './canonical-json.js';

/** The definition: what every stored hash was computed with. The fast version must match it byte for byte. */
function reference(value: unknown): string {
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const entries = Object.keys(value as object)
    .filter((key) => (value as any)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${reference((value as any)[key])}`);
  return `{${entries.join(',')}}`;
}

const STRINGS = ['', 'plain', 'with "quotes"', 'back\\slash', 'line\nbreak', 'tab\t', '\u0000', '\u001f', '\u007f', 'ü', '😀', '\ud800', '\udc00x', '</script>', '/', ' '];
const NUMBERS = [0, -0, 1, -1, 1.5, 1e21, 1e-7, 2 ** 53, Number.MAX_VALUE, NaN, Infinity, -Infinity];
/** Values beyond JSON that it still writes (see the doc comment); functions, symbols and toJSON objects throw. */
const ODD = [null, undefined, true, false, 0n, 9223372036854775807n, -5n];

describe('canonicalJson', () => {
  it.each([...STRINGS, ...NUMBERS, ...ODD].map((v) => [v]))('matches the definition for %p', (value) => {
    expect(canonicalJson(value)).toBe(reference(value));
  });

  it('sorts keys at every level, drops undefined members, keeps undefined array items as null', () => {
    const value = { b: 1, a: { d: [3, undefined, { z: 1, y: undefined }], c: 2n }, '': 0, A: 'x', 10: 1, 9: 2, 'é': 3 };
    expect(canonicalJson(value)).toBe('{"":0,"10":1,"9":2,"A":"x","a":{"c":"2","d":[3,null,{"z":1}]},"b":1,"é":3}');
    expect(canonicalJson(value)).toBe(reference(value));
  });

  it('matches the definition on generated nested values', () => {
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const leaves = [...STRINGS, ...NUMBERS, ...ODD];
    const generate = (depth: number): unknown => {
      const kind = depth > 3 ? 0 : random(3);
      if (kind === 0) return leaves[random(leaves.length)];
      if (kind === 1) return Array.from({ length: random(4) }, () => generate(depth + 1));
      return Object.fromEntries(Array.from({ length: random(5) }, () => [STRINGS[random(STRINGS.length)] + random(3), generate(depth + 1)]));
    };
    for (let i = 0; i < 2000; i++) {
      const value = generate(0);
      expect(canonicalJson(value)).toBe(reference(value));
    }
  });
});

/** JSON.stringify's text with every object's keys sorted first (exact where no key is an array index: those an object always lists first). */
const sortedStringify = (value: unknown) =>
  JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));

const PLAIN_STRINGS = [...STRINGS, '\ud83d', 'a\udfff', '\udfff\ud83d', '\u2028\u2029', '\b\f\r\v', 'ǅ\u0301', 'ｚ', '\uffff', 'tail\\'];
const PLAIN_NUMBERS = [0, -0, 7, -7, 0.1, -2.5, 1e-7, -1e-7, 1e21, -1e21, 1.7976931348623157e308, 5e-324, -5e-324, 123456789.125, 2 ** 53 + 2, -(2 ** 31), 1e300 * 10 ** 8];

/** Random plain JSON: objects with string keys (none an array index), arrays, strings, numbers, booleans, null. */
function plainValues(count: number, seed: number): unknown[] {
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const leaves: unknown[] = [...PLAIN_STRINGS, ...PLAIN_NUMBERS, true, false, null];
  const generate = (depth: number): unknown => {
    const kind = depth > 4 ? 0 : random(3);
    if (kind === 0) return leaves[random(leaves.length)];
    if (kind === 1) return Array.from({ length: random(5) }, () => generate(depth + 1));
    return Object.fromEntries(Array.from({ length: random(6) }, () => [`${PLAIN_STRINGS[random(PLAIN_STRINGS.length)]}k${random(3)}`, generate(depth + 1)]));
  };
  return Array.from({ length: count }, () => generate(0));
}

describe('canonicalJson on plain JSON values', () => {
  it.each([...PLAIN_STRINGS, ...PLAIN_NUMBERS].map((v) => [v]))('%p parses back as JSON.stringify of it does', (value) => {
    expect(JSON.parse(canonicalJson(value))).toStrictEqual(JSON.parse(JSON.stringify(value)));
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });

  it('keeps lone surrogates as escapes, so the text is well-formed UTF-16 and parses back to the same code units', () => {
    expect(canonicalJson('\ud800')).toBe('"\\ud800"');
    expect(canonicalJson({ ['\udc00']: 'x\udbff' })).toBe('{"\\udc00":"x\\udbff"}');
    expect(canonicalJson('😀')).toBe('"😀"');
    expect(JSON.parse(canonicalJson(['\udfff\ud83d']))).toStrictEqual(['\udfff\ud83d']);
  });

  it('parses back to what JSON.stringify parses back to, and is JSON.stringify with sorted keys, on generated values', () => {
    for (const value of plainValues(3000, 13)) {
      const json = canonicalJson(value);
      expect(JSON.parse(json)).toStrictEqual(JSON.parse(JSON.stringify(value)));
      expect(json).toBe(sortedStringify(value));
    }
  });

  it('sorts keys by UTF-16 code units at every level (a surrogate pair before U+E000..U+FFFF), array-index keys as strings', () => {
    const value = { 'ｚ': 1, '😀': 2, 'é': 3, 'Z': 4, 'a': { '10': 0, '9': 0, '-1': 0, '': 0 }, ' ': [{ y: 1, x: 2 }] };
    expect(canonicalJson(value)).toBe('{" ":[{"x":2,"y":1}],"Z":4,"a":{"":0,"-1":0,"10":0,"9":0},"é":3,"😀":2,"ｚ":1}');
    // Insertion order does not matter.
    const reversed = Object.fromEntries(Object.entries(value).reverse());
    expect(canonicalJson(reversed)).toBe(canonicalJson(value));
  });
});

describe('canonicalJson beyond JSON', () => {
  it('writes bigints as their decimal digits in a string, where JSON.stringify throws', () => {
    expect(canonicalJson({ amount: 125000n, balance: -9223372036854775808n, list: [0n] })).toBe('{"amount":"125000","balance":"-9223372036854775808","list":["0"]}');
    expect(canonicalJson(5n)).toBe(canonicalJson('5'));
    expect(() => JSON.stringify(5n)).toThrow(TypeError);
  });

  it('leaves out undefined members and writes undefined items and holes as null, as JSON.stringify; undefined alone is null', () => {
    // eslint-disable-next-line no-sparse-arrays
    const value = { a: undefined, b: [undefined, , 1], c: { d: undefined } };
    expect(canonicalJson(value)).toBe('{"b":[null,null,1],"c":{}}');
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
    expect(canonicalJson(new Array(2))).toBe('[null,null]');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('writes NaN and ±Infinity as null, as JSON.stringify (JSON.parse of 1e400 is Infinity: input, not a failure)', () => {
    const value = { nan: NaN, up: JSON.parse('1e400'), down: -Infinity, list: [NaN, Infinity] };
    expect(canonicalJson(value)).toBe('{"down":null,"list":[null,null],"nan":null,"up":null}');
    expect(JSON.parse(canonicalJson(value))).toStrictEqual(JSON.parse(JSON.stringify(value)));
  });

  it.each([
    ['a function member', { a: 1, f: () => 1 }, 'a function at $.f'],
    ['a function item', [1, function named() {}], 'a function at $[1]'],
    ['a function', () => 1, 'a function at $'],
    ['a symbol member', { deep: { s: Symbol('s') } }, 'a symbol at $.deep.s'],
    ['a symbol', Symbol('s'), 'a symbol at $'],
    ['a Date', { entries: [{ posted_at: new Date(0) }] }, 'an object with toJSON (Date) at $.entries[0].posted_at'],
    ['an object with toJSON', { x: { toJSON: () => 'x' } }, 'an object with toJSON (Object) at $.x'],
    ['an array with toJSON', Object.assign([1], { toJSON: () => [2] }), 'an object with toJSON (Array) at $'],
    ['a boxed string', { s: new String('x') }, 'a boxed String at $.s'],
    ['a boxed number', [new Number(1)], 'a boxed Number at $[0]'],
    ['a boxed boolean', new Boolean(false), 'a boxed Boolean at $'],
    ['a boxed bigint', { n: Object(1n) }, 'a boxed BigInt at $.n'],
  ])('refuses %s, which JSON.stringify would leave out, call or unwrap, with a TypeError saying where', (_name, value, where) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
    expect(() => canonicalJson(value)).toThrow(where);
  });

  it('writes other objects as JSON.stringify does: own enumerable string keys (a Map is {}), symbol keys ignored', () => {
    class Point {
      constructor(
        readonly y: number,
        readonly x: number,
      ) {}
      get norm() {
        return Math.hypot(this.x, this.y);
      }
    }
    const values = [new Point(1, 2), new Map([['a', 1]]), new Set([1]), { [Symbol('k')]: 1, a: 1 }, Object.create(null), Object.assign(Object.create(null), { b: 1, a: 2 }), Object(Symbol('s'))];
    for (const value of values) expect(canonicalJson(value)).toBe(sortedStringify(value));
    expect(canonicalJson(new Point(1, 2))).toBe('{"x":2,"y":1}');
  });

  it('overflows the stack on a cycle instead of writing forever', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(() => canonicalJson(cyclic)).toThrow(RangeError);
  });

  it('gives a value the same text after a trip through its own JSON: what a verifier re-hashes from the log', () => {
    const leaves = [...ODD, NaN, Infinity];
    let seed = 29;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (const value of plainValues(1000, 17)) {
      // Sprinkle in the values JSON has no form of but canonicalJson writes.
      const mixed = Array.isArray(value) ? [...value, leaves[random(leaves.length)]] : { value, odd: leaves[random(leaves.length)] };
      const json = canonicalJson(mixed);
      expect(canonicalJson(JSON.parse(json))).toBe(json);
    }
  });
});
