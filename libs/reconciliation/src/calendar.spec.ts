// Specs for the calendar helpers: day numbers without Date (statement dates) and UTC posting days.
import { calendarDay, timestampMs, utcDay } from './calendar.js';

describe('calendarDay', () => {
  it('counts days from 1970-01-01', () => {
    expect(calendarDay('1970-01-01')).toBe(0);
    expect(calendarDay('1970-01-02')).toBe(1);
    expect(calendarDay('1969-12-31')).toBe(-1);
  });

  it('agrees with Date.UTC for every day from 1900 to 2100', () => {
    // given every calendar day of two centuries, leap days included
    const mismatches: string[] = [];
    for (let ms = Date.UTC(1900, 0, 1); ms <= Date.UTC(2100, 11, 31); ms += 86_400_000) {
      const date = new Date(ms).toISOString().slice(0, 10);
      // when / then
      if (calendarDay(date) !== ms / 86_400_000) mismatches.push(date);
    }
    expect(mismatches).toEqual([]);
  });

  it('reads years before 100 as themselves (Date.UTC would move them to the 1900s)', () => {
    expect(calendarDay('0099-12-31')! + 1).toBe(calendarDay('0100-01-01'));
    expect(calendarDay('0001-01-01')).toBe(-719_162);
  });

  it.each(['2026-02-29', '2100-02-29', '2026-06-31', '2026-00-01', '2026-01-32', '0000-06-01', '26-01-01', '2026-01-01 ', '２０２６-01-01'])('rejects %j', (date) => {
    expect(calendarDay(date)).toBeNull();
  });
});

describe('timestampMs and utcDay', () => {
  it('reads ISO timestamps with a zone, and bare dates as UTC midnight', () => {
    expect(timestampMs('2026-03-10T12:00:00.000Z')).toBe(Date.UTC(2026, 2, 10, 12));
    expect(timestampMs('2026-03-11T01:00:00+02:00')).toBe(Date.UTC(2026, 2, 10, 23));
    expect(timestampMs('2026-03-10')).toBe(Date.UTC(2026, 2, 10));
  });

  it('refuses zone-less date-times and non-dates', () => {
    expect(timestampMs('2026-03-10T12:00:00')).toBeNull();
    expect(timestampMs('2026-02-30T12:00:00Z')).toBeNull();
    expect(timestampMs('March 10, 2026')).toBeNull();
  });

  it('gives the UTC day, also before 1970', () => {
    expect(utcDay(Date.UTC(2026, 2, 10, 23, 59, 59, 999))).toBe(calendarDay('2026-03-10'));
    expect(utcDay(Date.UTC(1969, 11, 31, 23, 59))).toBe(-1);
  });
});
