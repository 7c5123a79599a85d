import { firstUnstorableString } from './storable-text.js';

const check = (raw: string) => firstUnstorableString(raw, JSON.parse(raw));

describe('firstUnstorableString', () => {
  it('finds NUL and unpaired surrogates in values and keys, with their path', () => {
    expect(check('{"description":"a\\u0000b"}')).toBe('$.description');
    expect(check('{"entries":[{"x":1},{"note":"\\ud800"}]}')).toBe('$.entries[1].note');
    expect(check('{"metadata":{"ok":"\\udc00 alone"}}')).toBe('$.metadata.ok');
    expect(check('{"metadata":{"k\\u0000":"v"}}')).toBe('$.metadata["k\\u0000"] (the key)');
    expect(check('{"a":["\\ude00\\ud83d"]}')).toBe('$.a[0]'); // low before high: not a pair
  });

  it('accepts paired surrogates, other escapes and an escaped backslash before u0000', () => {
    expect(check('{"emoji":"\\ud83d\\ude00","tab":"\\t","nul-text":"\\\\u0000","bell":"\\u0007"}')).toBeNull();
    expect(check('{"plain":"nothing to see","n":1,"list":[true,null]}')).toBeNull();
  });

  it('walks nothing when the raw text has no suspect escape', () => {
    const trap = { get description(): string {
      throw new Error('walked');
    } };
    expect(firstUnstorableString('{"description":"fine"}', trap)).toBeNull();
  });
});
