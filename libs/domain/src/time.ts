/**
 * The one parser of times that arrive from outside (API bodies and queries, CLI options).
 *
 * Strict RFC 3339 (section 5.6) `date-time`, checked field by field rather than handed to
 * `Date.parse`, which rolls `2030-02-31` over to March 3 and hour 24 to the next day, and takes
 * year 0000 (which PostgreSQL refuses: a 500 at the query). What is accepted:
 * - `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, `T` and `Z` in either case (RFC 3339
 *   allows lower case); no space separator, no week or ordinal dates, no expanded years;
 * - years 0001-9999, months 01-12, days that exist in that month (leap years: divisible by 4,
 *   centuries only when divisible by 400), hours 00-23, minutes and seconds 00-59;
 * - 1 to FRACTION_DIGITS_MAX fraction digits; JS time has milliseconds, so digits past the
 *   third are dropped (toward the past, as a clock reading is);
 * - offsets -23:59 to +23:59 (`-00:00`, "offset unknown", is UTC);
 * - the instant itself (after applying the offset) within 0001-01-01T00:00:00Z ..
 *   9999-12-31T23:59:59.999Z, so that `new Date(millis).toISOString()` is again a 4-digit-year
 *   RFC 3339 time this parser accepts, and PostgreSQL's timestamptz can store it.
 * A leap second (`:60`) is refused: neither JS Date, POSIX time nor the log can represent one
 * (send `23:59:59.999Z` or the next second instead).
 */

/** Fraction digits a time may carry (nanoseconds); more is refused rather than silently cut. */
export const FRACTION_DIGITS_MAX = 9;
/** A time is a few dozen characters; anything longer is refused before any regex runs. */
export const TIME_TEXT_LENGTH_MAX = 64;
/** The earliest and latest instants any time may denote (years 0001-9999 in UTC), in ms since the epoch. */
export const TIME_MILLIS_MIN = -62_135_596_800_000; // 0001-01-01T00:00:00.000Z
export const TIME_MILLIS_MAX = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = new RegExp(
  `^(\\d{4})-(\\d{2})-(\\d{2})[Tt](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,${FRACTION_DIGITS_MAX}}))?(?:([Zz])|([+-])(\\d{2}):(\\d{2}))$`,
);

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
}

/** Milliseconds of midnight UTC of a calendar date already known to be valid. */
function utcMidnight(year: number, month: number, day: number): number {
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear takes the year as given.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

/** A calendar date's midnight UTC, or null when the date does not exist (or is outside 0001-9999). */
function calendarDate(yearText: string, monthText: string, dayText: string): number | null {
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return utcMidnight(year, month, day);
}

/** Milliseconds since the epoch of a strict RFC 3339 date-time (see above), or null for anything else. Never throws. */
export function parseRfc3339(raw: unknown): number | null {
  if (typeof raw !== 'string' || raw.length > TIME_TEXT_LENGTH_MAX) return null;
  const match = DATE_TIME.exec(raw);
  if (!match) return null;
  const [, year, month, day, hourText, minuteText, secondText, fraction, zulu, sign, offsetHourText, offsetMinuteText] = match;
  const midnight = calendarDate(year, month, day);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText);
  if (midnight === null || hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (!zulu) {
    const offsetHour = Number(offsetHourText);
    const offsetMinute = Number(offsetMinuteText);
    if (offsetHour > 23 || offsetMinute > 59) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  }
  const millis = Number((fraction ?? '').padEnd(3, '0').slice(0, 3));
  // Local wall time minus its offset is UTC.
  const instant = midnight + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis;
  return instant >= TIME_MILLIS_MIN && instant <= TIME_MILLIS_MAX ? instant : null;
}

/** The canonical form of a strict RFC 3339 time (`toISOString`: UTC, milliseconds), or null. */
export function canonicalRfc3339(raw: unknown): string | null {
  const millis = parseRfc3339(raw);
  return millis === null ? null : new Date(millis).toISOString();
}

/** Midnight UTC (ms since the epoch) of an RFC 3339 `full-date` (YYYY-MM-DD, a date that exists, years 0001-9999), or null. */
export function parseFullDate(raw: unknown): number | null {
  if (typeof raw !== 'string') return null;
  const match = FULL_DATE.exec(raw);
  return match ? calendarDate(match[1], match[2], match[3]) : null;
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ`: what `Date#toISOString` writes for years 0001-9999, the log's times. */
const LOG_TIME_LENGTH = 24;
const MS_PER_DAY = 86_400_000;

/**
 * The milliseconds of a time the log itself wrote (`occurred_at`, `posted_at`, a decision's
 * `ctx.now`: `new Date(ms).toISOString()`), exactly what Date.parse gives, read field by field in
 * a tenth of Date.parse's time: deciding and folding a posting under velocity limits read one
 * each. Any other text (or a field out of range) goes to Date.parse itself, so the answer is
 * Date.parse's for every input. Not for times from outside: those are parseRfc3339's.
 */
export function logTimeMillis(text: string): number {
  if (text.length !== LOG_TIME_LENGTH || !isLogTimeShape(text)) return Date.parse(text);
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const millis = digitsAt(text, 20, 3);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || !(hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && millis >= 0)) {
    return Date.parse(text);
  }
  return daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
}

/** The separators of `YYYY-MM-DDTHH:MM:SS.sssZ` in place (the digits are checked by digitsAt). */
function isLogTimeShape(text: string): boolean {
  return text[4] === '-' && text[7] === '-' && text[10] === 'T' && text[13] === ':' && text[16] === ':' && text[19] === '.' && text[23] === 'Z';
}

/** The number `count` decimal digits at `at` spell, or -1 when one is not a digit. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Days from 1970-01-01 to a valid proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
