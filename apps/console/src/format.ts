/** Minor units as a person reads them, with bigint arithmetic only (no float ever touches money). */
const fractionDigitsCache = new Map<string, number>();

export function fractionDigits(currency: string): number {
  let digits = fractionDigitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2; // not an ISO 4217 code (a token, a test currency): cents are the usual minor unit
    }
    fractionDigitsCache.set(currency, digits);
  }
  return digits;
}

export function money(minor: string | null | undefined, currency: string): string {
  if (minor === null || minor === undefined || !/^-?[0-9]+$/.test(minor)) return '—';
  const negative = minor.startsWith('-');
  const digits = fractionDigits(currency);
  const value = BigInt(negative ? minor.slice(1) : minor);
  const scale = 10n ** BigInt(digits);
  const whole = (value / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = digits > 0 ? '.' + (value % scale).toString().padStart(digits, '0') : '';
  return `${negative ? '−' : ''}${whole}${fraction} ${currency}`;
}

/** For the chart only: a balance as a number of major units (drawing needs numbers, not exactness). */
export function plotValue(minor: string, currency: string): number {
  return Number(minor) / 10 ** fractionDigits(currency);
}

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** "3 h 12 min ago" / "in 5 min": ages and expiries at a glance. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  const text = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.floor(abs / 60)} min` : abs < 86400 ? `${Math.floor(abs / 3600)} h ${Math.floor((abs % 3600) / 60)} min` : `${Math.floor(abs / 86400)} d`;
  return seconds < 0 ? `${text} ago` : `in ${text}`;
}

export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : '—';
}
