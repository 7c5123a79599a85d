import { parseRfc3339 } from './time.js';

describe('parseRfc3339', () => {
  it.each([
    ['2030-01-01T00:00:00Z', Date.UTC(2030, 0, 1)],
    ['2030-01-01T01:00:00+01:00', Date.UTC(2030, 0, 1)],
    ['2030-01-01T00:00:00.123456789z', Date.UTC(2030, 0, 1, 0, 0, 0, 123)],
  ])('takes %s', (raw, millis) => {
    expect(parseRfc3339(raw)).toBe(millis);
  });

  it.each(['2030-01-01', '2030-01-01T00:00:00', '2030-01-01T00:00:00.1234567890Z', '2030-13-01T00:00:00Z', ' 2030-01-01T00:00:00Z', 20300101, null])('refuses %j', (raw) => {
    expect(parseRfc3339(raw)).toBeNull();
  });
});
