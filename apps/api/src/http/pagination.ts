import { ApiError } from './api-error.js';
import { POSITION_MAX } from '#event-store/index.js';

export const PAGE_LIMIT_DEFAULT = 50;
export const PAGE_LIMIT_MAX = 1000;

export function parseLimit(raw: unknown): number {
  if (raw === undefined || raw === '') return PAGE_LIMIT_DEFAULT;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^[0-9]+$/.test(raw) || value < 1 || value > PAGE_LIMIT_MAX) {
    throw ApiError.validation(`limit must be an integer from 1 to ${PAGE_LIMIT_MAX}`, { limit: ['must be an integer from 1 to 1000'] });
  }
  return value;
}

/** Cursors are opaque to clients: base64url of the position they continue after. */
export function encodeCursor(parts: (string | number | bigint)[]): string {
  return Buffer.from(parts.join('.')).toString('base64url');
}

export function decodeCursor(raw: unknown, size: number): string[] | null {
  if (raw === undefined || raw === '') return null;
  const parts = typeof raw === 'string' ? Buffer.from(raw, 'base64url').toString('utf8').split('.') : [];
  if (parts.length !== size || parts.some((p) => !/^[0-9]{1,39}$/.test(p) || BigInt(p) > POSITION_MAX)) {
    throw ApiError.validation('cursor is not valid', { cursor: ['not a cursor this API returned'] });
  }
  return parts;
}

export function parsePosition(raw: unknown, field: string): bigint | null {
  if (raw === undefined || raw === '') return null;
  // Up to 2^128 - 1: an EventStoreDB position packs two 64-bit offsets into one integer.
  if (typeof raw !== 'string' || !/^[0-9]{1,39}$/.test(raw) || BigInt(raw) > POSITION_MAX) {
    throw ApiError.validation(`${field} must be a position`, { [field]: ['must be a non-negative integer below 2^128'] });
  }
  return BigInt(raw);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** An optional uuid filter of a query (lower-cased), or null when absent. */
export function parseUuid(raw: unknown, field: string): string | null {
  if (raw === undefined || raw === '') return null;
  if (!isUuid(raw)) throw ApiError.validation(`${field} must be a uuid`, { [field]: ['must be a uuid'] });
  return raw.toLowerCase();
}

/** An optional filter of a query that must be one of `values`, or null when absent. */
export function parseOneOf<T extends string>(raw: unknown, field: string, values: readonly T[]): T | null {
  if (raw === undefined || raw === null) return null;
  if (!values.includes(raw as T)) {
    const allowed = values.join(', ');
    throw ApiError.validation(`${field} must be one of ${allowed}`, { [field]: [`must be one of ${allowed}`] });
  }
  return raw as T;
}

/**
 * One page from `limit + 1` rows: the first `limit`, and the cursor after the last of them when
 * the extra row shows there is more.
 */
export function pageOf<T, V>(rows: T[], limit: number, cursorOf: (last: T) => (string | number | bigint)[], view: (row: T) => V) {
  const page = rows.slice(0, limit);
  const next_cursor = rows.length > limit ? encodeCursor(cursorOf(page[page.length - 1])) : null;
  return { data: page.map(view), next_cursor };
}

/** At most this many `metadata.<key>=<value>` filters per list request, each key and value bounded. */
export const METADATA_FILTERS_MAX = 10;
const METADATA_FILTER_KEY_LENGTH_MAX = 64;
const METADATA_FILTER_VALUE_LENGTH_MAX = 255;

/**
 * `metadata.<key>=<value>` query parameters: exact matches on top-level keys, ANDed (null when
 * none). Values are strings as a query carries them: they match metadata values that are that
 * string.
 */
export function parseMetadataFilter(query: Record<string, unknown>): Record<string, string> | null {
  const filter: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of Object.entries(query)) {
    if (!name.startsWith('metadata.')) continue;
    const key = name.slice('metadata.'.length);
    if (key.length === 0 || key.length > METADATA_FILTER_KEY_LENGTH_MAX || typeof value !== 'string' || value.length > METADATA_FILTER_VALUE_LENGTH_MAX) {
      throw ApiError.validation(`${name} must be one value of at most ${METADATA_FILTER_VALUE_LENGTH_MAX} characters, its key 1-${METADATA_FILTER_KEY_LENGTH_MAX}`, { [name]: ['must be given once, key 1-64 and value up to 255 characters'] });
    }
    if (++count > METADATA_FILTERS_MAX) throw ApiError.validation(`at most ${METADATA_FILTERS_MAX} metadata filters`, { metadata: [`at most ${METADATA_FILTERS_MAX} filters`] });
    filter[key] = value;
  }
  return count === 0 ? null : filter;
}
