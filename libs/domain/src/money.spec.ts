import { AMOUNT_MAX, isCurrency, parseAmount, parseSignedAmount } from './money.js';

describe('AMOUNT_MAX', () => {
  it('is 2^63 - 1', () => {
    expect(AMOUNT_MAX).toBe(9223372036854775807n);
  });
});

describe('parseAmount', () => {
  describe('accepts strings of decimal digits', () => {
    it.each([
      ['1', 1n],
      ['125000', 125000n],
      ['9007199254740993', 9007199254740993n], // beyond Number.MAX_SAFE_INTEGER, exact as bigint
      ['9223372036854775807', 9223372036854775807n], // 2^63 - 1, the largest amount
    ])('%j -> %s', (input, expected) => {
      expect(parseAmount(input)).toBe(expected);
    });

    it('reads leading zeros as decimal, not octal', () => {
      expect(parseAmount('010')).toBe(10n);
      expect(parseAmount('0000000000000000001')).toBe(1n); // 19 characters
    });

    it('limits the input to 19 characters before reading it, whatever its value', () => {
      expect(parseAmount('00000000000000000001')).toBeNull(); // 20 characters
    });
  });

  describe('rejects strings that are not a positive amount up to 2^63 - 1', () => {
    it.each([
      ['decimal point', '1.5'],
      ['trailing decimal point', '1.'],
      ['minus sign', '-5'],
      ['plus sign', '+1'],
      ['zero', '0'],
      ['zeros', '000'],
      ['empty string', ''],
      ['leading space', ' 1'],
      ['trailing space', '1 '],
      ['trailing newline', '1\n'],
      ['exponent', '1e3'],
      ['hexadecimal', '0x10'],
      ['digit group separator', '1_000'],
      ['comma', '1,000'],
      ['full-width digit', '\uFF11'],
      ['Arabic-Indic digit', '\u0663'],
      ['2^63', '9223372036854775808'],
      ['2^64', '18446744073709551616'],
      ['20 digits', '10000000000000000000'],
      ['bigint literal suffix', '5n'],
    ])('%s (%j)', (_name, input) => {
      expect(parseAmount(input)).toBeNull();
    });
  });

  describe('accepts JSON safe integers', () => {
    it.each([
      [1, 1n],
      [125000, 125000n],
      [1e3, 1000n], // a number literal, not the string "1e3": it is exactly 1000
      [Number.MAX_SAFE_INTEGER, 9007199254740991n],
    ])('%p -> %s', (input, expected) => {
      expect(parseAmount(input)).toBe(expected);
    });
  });

  describe('rejects numbers that are not positive safe integers', () => {
    it.each([
      ['fraction', 1.5],
      ['negative', -5],
      ['zero', 0],
      ['negative zero', -0],
      ['2^53 (unsafe)', 2 ** 53],
      ['MAX_SAFE_INTEGER + 2 (unsafe)', Number.MAX_SAFE_INTEGER + 2],
      ['2^63 as a float', 2 ** 63],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['-Infinity', Number.NEGATIVE_INFINITY],
    ])('%s', (_name, input) => {
      expect(parseAmount(input)).toBeNull();
    });
  });

  describe('rejects every other type', () => {
    it.each([
      ['true', true],
      ['false', false],
      ['null', null],
      ['undefined', undefined],
      ['object', { amount: '1' }],
      ['array', ['1']],
      ['bigint (never on the wire)', 1n],
      ['boxed string', new String('1')],
    ])('%s', (_name, input) => {
      expect(parseAmount(input)).toBeNull();
    });
  });
});

describe('isCurrency', () => {
  it.each(['USD', 'EUR', 'USDC', 'BTC_SATS', 'A1B', 'ABC_123', 'ABCDEFGHIJKL', '000', '___'])('accepts %j', (input) => {
    expect(isCurrency(input)).toBe(true);
  });

  it.each([
    ['too short', 'US'],
    ['empty', ''],
    ['13 characters', 'ABCDEFGHIJKLM'],
    ['lower case', 'usd'],
    ['mixed case', 'Usd'],
    ['hyphen', 'US-D'],
    ['inner space', 'US D'],
    ['leading space', ' USD'],
    ['trailing newline', 'USD\n'],
    ['non-ASCII letter', 'ÉUR'],
  ])('rejects %s (%j)', (_name, input) => {
    expect(isCurrency(input)).toBe(false);
  });

  it.each([
    ['number', 840],
    ['null', null],
    ['undefined', undefined],
    ['array', ['USD']],
    ['object', { code: 'USD' }],
  ])('rejects a %s', (_name, input) => {
    expect(isCurrency(input)).toBe(false);
  });
});

describe('parseSignedAmount (balance thresholds)', () => {
  it.each([
    ['0', 0n],
    ['-250', -250n],
    ['9223372036854775807', AMOUNT_MAX],
    ['-9223372036854775807', -AMOUNT_MAX],
    [0, 0n],
    [-5, -5n],
  ])('%j -> %s', (input, expected) => {
    expect(parseSignedAmount(input)).toBe(expected);
  });

  it.each([['9223372036854775808'], ['-9223372036854775808'], ['+5'], ['1.5'], ['--1'], ['-'], [''], [1.5], [Number.MAX_SAFE_INTEGER + 1], [null], [5n]])(
    'rejects %j',
    (input) => {
      expect(parseSignedAmount(input)).toBeNull();
    },
  );
});
