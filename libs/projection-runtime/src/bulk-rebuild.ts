import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { RecordedEvent } from '#event-store/index.js';
import { Projection } from './projection.js';
import { quote } from './versions.js';

/** Memory PostgreSQL may sort with while it builds a shadow's deferred indexes (per connection). */
export const INDEX_BUILD_MEMORY_MB = 256;
/** Rows formatted into one chunk of a COPY stream: large enough that a batch is a few writes, small enough to stay a few MiB. */
export const COPY_CHUNK_ROWS = 1000;

/**
 * How a rebuild fills a projection's shadow faster than its live `apply`, with exactly the same
 * rows (the live path stays the reference: `projections verify` and the bulk-equals-live test
 * compare them). Used only while a shadow is filled from the log, never for the live model.
 */
export interface BulkRebuild {
  /**
   * The part of the projection's `schema` that creates its secondary indexes, and its primary key
   * where its bulk form is insert-only (the projection's `schema` is its tables followed by
   * exactly this text). A rebuild creates the shadow without them and builds them once after the
   * pass: one sort instead of a b-tree insertion per row. Nothing the bulk form does may depend on
   * them: no lookup by them, no `on conflict` on them (the live apply runs only once they are built).
   */
  readonly indexes?: string;
  /**
   * Applies a batch to a shadow (search_path on it, inside the batch's transaction) with the same
   * resulting rows as `apply`, typically by COPY (copyRows). Without it the live apply is used.
   */
  apply?(tx: PoolClient, events: RecordedEvent[]): Promise<void>;
}

/** The projection as a rebuild applies it: shadow tables without the deferred indexes, rows by its bulk apply. */
export function bulkApplied(projection: Projection): Projection {
  const bulk = projection.bulk;
  if (!bulk) return projection;
  let schema = projection.schema;
  if (bulk.indexes !== undefined) {
    if (!schema.endsWith(bulk.indexes)) throw new Error(`${projection.name}: its schema does not end with its deferred indexes`);
    schema = schema.slice(0, schema.length - bulk.indexes.length);
  }
  const apply = bulk.apply ?? projection.apply;
  return { ...projection, schema, apply: (tx, events) => apply.call(projection.bulk, tx, events) };
}

/**
 * Makes a filled shadow (in `schema`) whole before it is completed by the live apply and swapped
 * in, in one transaction: makes its tables logged (createShadow made them unlogged: filling them
 * wrote no WAL, and `set logged` writes each table to the WAL once, as a whole, instead of row by
 * row), then builds the indexes its bulk form deferred.
 */
export async function finishShadow(pool: Pool, projection: Projection, schema: string): Promise<void> {
  const tx = await pool.connect();
  try {
    await tx.query(
      `begin; set local statement_timeout = 0; set local maintenance_work_mem = '${INDEX_BUILD_MEMORY_MB}MB'; set local search_path to ${quote(schema)}, public`,
    );
    // Logged first: `set logged` rewrites a table and rebuilds the indexes it has, so the deferred
    // ones are built after it, once.
    for (const table of projection.tables) await tx.query(`alter table ${quote(schema)}.${quote(table)} set logged`);
    if (projection.bulk?.indexes) await tx.query(projection.bulk.indexes);
    await tx.query('commit');
  } catch (error) {
    await tx.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    tx.release();
  }
}

/**
 * Writes `rows` into `table` (columns in `columns` order) with one COPY, in the caller's
 * transaction. A value is written as PostgreSQL's text input of it, as a parameter of the live
 * insert would be: null as NULL, an object as its JSON, anything else as its string form. COPY
 * has no `on conflict`: a second row with a key fails the batch, or the key's build after the
 * pass (the rebuild stops and its shadow is dropped), where the live insert would skip it; a
 * fresh shadow filled from a log whose keys are unique (positions, entry and transaction ids)
 * never meets one.
 */
export async function copyRows(tx: PoolClient, table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const sql = `copy ${quote(table)} (${columns.map(quote).join(', ')}) from stdin`;
  await pipeline(Readable.from(copyChunks(rows, columns.length)), tx.query(copyFrom(sql)));
}

function* copyChunks(rows: readonly unknown[][], width: number): Generator<string> {
  for (let start = 0; start < rows.length; start += COPY_CHUNK_ROWS) {
    let chunk = '';
    const end = Math.min(rows.length, start + COPY_CHUNK_ROWS);
    for (let r = start; r < end; r++) {
      const row = rows[r];
      if (row.length !== width) throw new Error(`row of ${row.length} values for ${width} columns`);
      for (let c = 0; c < width; c++) chunk += (c === 0 ? '' : '\t') + copyText(row[c]);
      chunk += '\n';
    }
    yield chunk;
  }
}

/** COPY's text format of one value: \N for null; backslash, tab, newline and carriage return escaped. */
export function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value instanceof Date ? value.toISOString() : String(value);
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]) : text;
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
