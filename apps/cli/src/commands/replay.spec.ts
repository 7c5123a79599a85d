import { UsageError } from '../args.js';
import { parseUntil } from './replay.js';

describe('replay --until', () => {
  it.each([
    ['2030-01-01T01:00:00+01:00', { time: '2030-01-01T00:00:00.000Z' }],
    ['0001-01-01T00:00:00Z', { time: '0001-01-01T00:00:00.000Z' }],
    ['42', { position: 42n }],
  ])('takes %s', (raw, until) => {
    expect(parseUntil(raw)).toEqual(until);
  });

  // Each of these went on to the log's reader before: year 0000 and a week date are not times.
  it.each(['2030-W01-1', '0000-01-01T00:00:00Z', '10000-01-01T00:00:00Z', '2030-02-31T00:00:00Z', '2030-01-01T24:00:00Z', '2030-01-01', 'soon', '-1'])(
    'refuses %s with usage',
    (raw) => {
      expect(() => parseUntil(raw)).toThrow(UsageError);
    },
  );

  it('is no limit when absent, and refuses the bare flag', () => {
    expect(parseUntil(undefined)).toBeNull();
    expect(() => parseUntil(true)).toThrow(UsageError);
  });
});
