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
const ODD = [null, undefined, true, false, 0n, 9223372036854775807n, -5n, new Date(0), () => 1, Symbol('s')];

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
