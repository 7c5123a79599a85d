import fc from 'fast-check';
import { canonicalRfc3339, logTimeMillis, parseFullDate, parseRfc3339, TIME_MILLIS_MAX, TIME_MILLIS_MIN } from './time.js';

/** Date.UTC for any year (it maps 0-99 to 1900-1999). */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  date.setUTCFullYear(year);
  return date.getTime();
}

describe('parseRfc3339', () => {
  it.each([
    ['2030-01-01T00:00:00Z', utc(2030, 1, 1)],
    ['2030-01-01T01:00:00+01:00', utc(2030, 1, 1)],
    ['2030-01-01t00:00:00z', utc(2030, 1, 1)], // RFC 3339 5.6: T and Z may be lower case
    ['2030-01-01T00:00:00.1Z', utc(2030, 1, 1, 0, 0, 0, 100)],
    ['2030-01-01T00:00:00.123456789z', utc(2030, 1, 1, 0, 0, 0, 123)], // past milliseconds: dropped
    ['2030-01-01T00:00:00.999999999Z', utc(2030, 1, 1, 0, 0, 0, 999)], // dropped, never rounded up into the next second
    ['2024-02-29T12:00:00Z', utc(2024, 2, 29, 12)], // leap year
    ['2000-02-29T00:00:00Z', utc(2000, 2, 29)], // century divisible by 400: leap
    ['2030-04-30T23:59:59Z', utc(2030, 4, 30, 23, 59, 59)],
    ['2030-12-31T23:59:59.999Z', utc(2030, 12, 31, 23, 59, 59, 999)],
    ['0001-01-01T00:00:00Z', TIME_MILLIS_MIN],
    ['0999-06-15T00:00:00Z', utc(999, 6, 15)],
    ['9999-12-31T23:59:59.999Z', TIME_MILLIS_MAX],
    ['2030-01-01T00:00:00-00:00', utc(2030, 1, 1)], // "offset unknown": UTC
    ['2030-01-01T00:00:00+23:59', utc(2030, 1, 1) - (23 * 60 + 59) * 60_000],
    ['2030-01-01T00:00:00-23:59', utc(2030, 1, 1) + (23 * 60 + 59) * 60_000],
    ['2030-01-01T05:30:00+05:30', utc(2030, 1, 1)],
    ['0001-01-01T00:00:00-01:00', utc(1, 1, 1, 1)], // local year 0001, and UTC too
  ])('takes %s', (raw, millis) => {
    expect(parseRfc3339(raw)).toBe(millis);
  });

  it.each([
    ['ISO week date', '2030-W01-1'],
    ['ISO week date with time', '2030-W01-1T00:00:00Z'],
    ['ordinal date', '2030-001T00:00:00Z'],
    ['year 0000', '0000-01-01T00:00:00Z'],
    ['expanded year', '+010000-01-01T00:00:00Z'],
    ['negative expanded year', '-000001-01-01T00:00:00Z'],
    ['five-digit year', '10000-01-01T00:00:00Z'],
    ['month 00', '2030-00-01T00:00:00Z'],
    ['month 13', '2030-13-01T00:00:00Z'],
    ['day 00', '2030-01-00T00:00:00Z'],
    ['day 32', '2030-01-32T00:00:00Z'],
    ['February 31', '2030-02-31T00:00:00Z'],
    ['February 29 of a common year', '2030-02-29T00:00:00Z'],
    ['February 29 of a century not divisible by 400', '1900-02-29T00:00:00Z'],
    ['April 31', '2030-04-31T00:00:00Z'],
    ['hour 24', '2030-01-01T24:00:00Z'],
    ['minute 60', '2030-01-01T00:60:00Z'],
    ['second 60 (leap second: refused)', '2016-12-31T23:59:60Z'],
    ['second 61', '2030-01-01T00:00:61Z'],
    ['offset hour 24', '2030-01-01T00:00:00+24:00'],
    ['offset minute 60', '2030-01-01T00:00:00+01:60'],
    ['offset without colon', '2030-01-01T00:00:00+0100'],
    ['offset hours only', '2030-01-01T00:00:00+01'],
    ['no offset', '2030-01-01T00:00:00'],
    ['date only', '2030-01-01'],
    ['no seconds', '2030-01-01T00:00Z'],
    ['empty fraction', '2030-01-01T00:00:00.Z'],
    ['ten fraction digits', '2030-01-01T00:00:00.1234567890Z'],
    ['fraction with a comma', '2030-01-01T00:00:00,5Z'],
    ['space separator', '2030-01-01 00:00:00Z'],
    ['leading space', ' 2030-01-01T00:00:00Z'],
    ['trailing newline', '2030-01-01T00:00:00Z\n'],
    ['single-digit month', '2030-1-01T00:00:00Z'],
    ['non-ASCII digits', '２０３０-01-01T00:00:00Z'],
    ['Arabic-Indic digits', '٢٠٣٠-01-01T00:00:00Z'],
    ['UTC instant in year 0000', '0001-01-01T00:00:00+01:00'],
    ['UTC instant in year 10000', '9999-12-31T23:00:00-01:00'],
    ['a very long string', `2030-01-01T00:00:00.${'1'.repeat(10_000)}Z`],
    ['empty string', ''],
    ['number', 1_893_456_000_000],
    ['null', null],
    ['undefined', undefined],
    ['array', ['2030-01-01T00:00:00Z']],
    ['object', { toString: () => '2030-01-01T00:00:00Z' }],
  ])('refuses %s: %j', (_name, raw) => {
    expect(parseRfc3339(raw)).toBeNull();
  });

  it('never throws, and what it accepts round-trips through toISOString', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.stringMatching(/^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{0,12})?([Zz]|[+-][0-9]{2}:[0-9]{2})?$/), fc.anything()), (raw) => {
        const millis = parseRfc3339(raw);
        if (millis === null) return;
        const iso = new Date(millis).toISOString();
        expect(iso).toMatch(/^(?!0000)\d{4}-/); // never year 0000, nor an expanded (+/-YYYYYY) year
        expect(parseRfc3339(iso)).toBe(millis);
      }),
    );
  });

  it('agrees with toISOString on every instant it can represent, at any offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: TIME_MILLIS_MIN, max: TIME_MILLIS_MAX }), fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }), (millis, offsetMinutes) => {
        const iso = new Date(millis).toISOString();
        expect(parseRfc3339(iso)).toBe(millis);
        // The same instant written in local time at an offset, when that local time is in 0001-9999.
        const local = new Date(millis + offsetMinutes * 60_000).toISOString();
        if (!/^\d{4}-/.test(local) || local.startsWith('0000-')) return;
        const sign = offsetMinutes < 0 ? '-' : '+';
        const abs = Math.abs(offsetMinutes);
        const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        expect(parseRfc3339(local.replace('Z', offset))).toBe(millis);
      }),
    );
  });
});

describe('canonicalRfc3339', () => {
  it('gives the UTC form with milliseconds, or null', () => {
    expect(canonicalRfc3339('2030-01-01T01:00:00.5+01:00')).toBe('2030-01-01T00:00:00.500Z');
    expect(canonicalRfc3339('0000-01-01T00:00:00Z')).toBeNull();
  });
});

describe('parseFullDate', () => {
  it.each([
    ['2030-01-01', utc(2030, 1, 1)],
    ['2024-02-29', utc(2024, 2, 29)],
    ['0001-01-01', TIME_MILLIS_MIN],
    ['9999-12-31', utc(9999, 12, 31)],
  ])('takes %s', (raw, millis) => {
    expect(parseFullDate(raw)).toBe(millis);
  });

  it.each(['0000-01-01', '2030-02-29', '2030-13-01', '2030-W01-1', '10000-01-01', '2030-01-01T00:00:00Z', '2030-1-1', '', null, 20300101])('refuses %j', (raw) => {
    expect(parseFullDate(raw)).toBeNull();
  });
});

describe('logTimeMillis', () => {
  it('is Date.parse for every time the log writes (toISOString, years 0001-9999)', () => {
    fc.assert(
      fc.property(fc.integer({ min: TIME_MILLIS_MIN, max: TIME_MILLIS_MAX }), (millis) => {
        const text = new Date(millis).toISOString();
        expect(logTimeMillis(text)).toBe(Date.parse(text));
        expect(logTimeMillis(text)).toBe(millis);
      }),
      { numRuns: 5_000 },
    );
  });

  it.each([
    '2030-02-29T00:00:00.000Z', // no such day: whatever Date.parse makes of it
    '2030-13-01T00:00:00.000Z',
    '2030-01-01T24:00:00.000Z',
    '2030-01-01T00:00:00.000+01:00',
    '2030-01-01T00:00:00Z',
    '2030-01-01 00:00:00.000Z',
    '2030-01-01T00:00:0a.000Z',
    '2030-01-01T0a:00:00.000Z',
    '2030-01-01T00:0a:00.000Z',
    '2030-01-01T00:00:00.0a0Z',
    '0000-01-01T00:00:00.000Z',
    '',
  ])('gives what Date.parse gives for text the log does not write: %s', (text) => {
    expect(Object.is(logTimeMillis(text), Date.parse(text))).toBe(true);
  });
});
