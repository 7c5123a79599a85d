// Calendar arithmetic for reconciliation: whole days as integers, UTC, no Date objects for
// statement dates (Date.UTC maps years 0-99 to 1900-1999) and no dependency on the local time zone.

const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
// A timestamp with an explicit zone: the ledger writes `toISOString()` (…Z). A zone-less
// date-time would be read in the machine's local zone, so it is refused.
const ISO_TIMESTAMP = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})$/;
const MS_PER_DAY = 86_400_000;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthFromMarch = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * The day number (days since 1970-01-01) of a real calendar date written `YYYY-MM-DD`,
 * years 0001 to 9999; null for anything else (2026-02-30, 2025-02-29, 2026-13-01, 2026-1-05).
 */
export function calendarDay(date: string): number | null {
  const match = ISO_DATE.exec(date);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return daysFromCivil(year, month, day);
}

/** Milliseconds since the epoch of an ISO 8601 timestamp with a zone (or a bare date, read as UTC). */
export function timestampMs(timestamp: string): number | null {
  if (!ISO_TIMESTAMP.test(timestamp)) {
    const day = calendarDay(timestamp);
    return day === null ? null : day * MS_PER_DAY;
  }
  if (calendarDay(timestamp.slice(0, 10)) === null) return null;
  const ms = Date.parse(timestamp);
  return Number.isFinite(ms) ? ms : null;
}

/** The UTC day number of a timestamp in milliseconds. */
export function utcDay(ms: number): number {
  return Math.floor(ms / MS_PER_DAY);
}
