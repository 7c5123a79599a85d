import { createHash } from 'node:crypto';
import { PoolClient } from 'pg';
import { LEDGER_PREFIX, RecordedEvent } from '#event-store/index.js';
import type { BulkRebuild } from './bulk-rebuild.js';

/**
 * A read model: a pure mapping from events to rows, applied in batches inside the same
 * transaction that advances its checkpoint, so each event takes effect exactly once.
 */
export interface Projection {
  readonly name: string;
  /**
   * The shape and meaning of the read model: bump it whenever `schema` or what `apply` writes
   * changes. The process that owns the projection finds the live model built at another version
   * on start and rebuilds it from the log into shadow tables, then swaps it in (versions.ts);
   * read models are never migrated by hand.
   */
  readonly version: number;
  /** Tables the projection owns (for verification and rebuilds). */
  readonly tables: readonly string[];
  /**
   * The statements that create `tables` and their indexes, with unqualified names: they run with
   * the target schema first on the search path (public, or a rebuild's shadow schema).
   */
  readonly schema: string;
  apply(tx: PoolClient, events: RecordedEvent[]): Promise<void>;
  /** How a rebuild fills its shadow faster, with the same rows (bulk-rebuild.ts); without it a rebuild uses `apply`. */
  readonly bulk?: BulkRebuild;
}

/** The event's tenant: as its metadata says, else (ledger events since 2026-12-05 leave it out) its stream's, `ledger-<tenant>`. */
export function tenantOf(event: RecordedEvent): string {
  const stated = event.metadata.tenant_id as string | undefined;
  // Other streams' events always name their tenant (one that did not would read as it did before: none).
  if (stated !== undefined || !isLedgerEvent(event)) return stated as string;
  return event.stream_id.slice(LEDGER_PREFIX.length);
}

export function isLedgerEvent(event: RecordedEvent): boolean {
  return event.stream_id.startsWith(LEDGER_PREFIX);
}

/** When an event happened, as an ISO timestamp: as its metadata says, else when the log recorded it. */
export function occurredAt(event: RecordedEvent): string {
  const stated = event.metadata?.occurred_at;
  const time = typeof stated === 'string' ? new Date(stated) : null;
  return (time && !Number.isNaN(time.getTime()) ? time : new Date(event.created_at)).toISOString();
}

const statementNames = new Map<string, string>();

/**
 * A prepared-statement name for a projection's SQL, derived from its text: each connection
 * parses and plans it once instead of on every batch, and a changed text can never collide
 * with an old name on a pooled connection. PostgreSQL re-analyses a prepared statement when
 * the tables it names change (a rebuild's swap) or search_path does (a shadow rebuild).
 */
export function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `zl_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * The transaction a projection applies with: every `query(text, values)` runs as a named
 * prepared statement (statementName), so projections write plain `tx.query(SQL.x, values)` and
 * none re-plans its SQL on each batch. Queries without values (no parameters: `begin`, `set
 * local ...`, possibly several statements) and query objects pass through unchanged.
 */
export function namedStatements(tx: PoolClient): PoolClient {
  const query = (text: unknown, values?: unknown) =>
    typeof text === 'string' && Array.isArray(values) ? tx.query({ name: statementName(text), text, values }) : (tx.query as Function).call(tx, text, values);
  return new Proxy(tx, { get: (target, property, receiver) => (property === 'query' ? query : Reflect.get(target, property, receiver)) });
}

/**
 * Rows gathered column by column for one multi-row statement of the form
 * `insert ... select * from unnest($1::type[], $2::type[], ...)`: one round trip per batch.
 * A JSON column (its index in `jsonColumns`) takes values as they are (objects, not JSON text)
 * and is sent as one JSON array, read in SQL with `jsonb_column($n)`: pg would otherwise escape
 * every JSON string again to build a text[] literal.
 */
export class ColumnBatch {
  private columns: unknown[][];
  private readonly json: ReadonlySet<number>;

  constructor(
    private readonly width: number,
    jsonColumns: readonly number[] = [],
  ) {
    this.columns = ColumnBatch.empty(width);
    this.json = new Set(jsonColumns);
  }

  private static empty(width: number): unknown[][] {
    return Array.from({ length: width }, () => []);
  }

  add(row: unknown[]): void {
    if (row.length !== this.width) throw new Error(`row of ${row.length} values for ${this.width} columns`);
    for (let column = 0; column < row.length; column++) this.columns[column].push(row[column]);
  }

  /** Runs `sql` with the gathered columns, if any, and starts over. */
  async flush(tx: PoolClient, sql: string): Promise<void> {
    if (this.columns[0].length === 0) return;
    const columns = this.columns;
    this.columns = ColumnBatch.empty(this.width);
    const values = this.json.size ? columns.map((column, index) => (this.json.has(index) ? JSON.stringify(column) : column)) : columns;
    await tx.query(sql, values);
  }
}

/** A multi-row statement over `unnest(...)` and the shape of its rows (see ColumnBatch). */
export interface BatchedStatement {
  readonly sql: string;
  readonly width: number;
  readonly jsonColumns?: readonly number[];
}

/**
 * Rows for several statements, applied in batches without reordering what depends on what: rows
 * for one statement gather until a row for another statement comes, or one for a key already
 * gathered (two updates of one row cannot share a statement), then go as one statement. A run of
 * hold creations, or of captures of different holds, is one round trip instead of one per event.
 */
export class StatementSequence {
  private statement: BatchedStatement | null = null;
  private rows: ColumnBatch | null = null;
  private readonly keys = new Set<string>();

  async add(tx: PoolClient, statement: BatchedStatement, key: string, row: unknown[]): Promise<void> {
    if (statement !== this.statement || this.keys.has(key)) await this.flush(tx);
    if (!this.rows) {
      this.statement = statement;
      this.rows = new ColumnBatch(statement.width, statement.jsonColumns);
    }
    this.rows.add(row);
    this.keys.add(key);
  }

  async flush(tx: PoolClient): Promise<void> {
    const { statement, rows } = this;
    this.statement = null;
    this.rows = null;
    this.keys.clear();
    if (statement && rows) await rows.flush(tx, statement.sql);
  }
}
