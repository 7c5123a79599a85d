import type { Pool } from 'pg';
import { StateSnapshot } from './state-snapshot.js';

/** Where writers keep one snapshot per tenant (a cache: losing it costs a replay, nothing else). */
export interface WriterSnapshots {
  load(tenantId: string): Promise<StateSnapshot | null>;
  /** Keeps `snapshot` unless the stored one is further along in the same format. */
  save(tenantId: string, snapshot: StateSnapshot): Promise<void>;
}

const SQL = {
  load: `select format_version, stream_revision, chain_head, state, state_sha256 from write_model_snapshots where tenant_id = $1`,
  // Two processes may snapshot one tenant (one of them about to lose a conflict): the row only
  // moves forward, or to another format (a deploy), never back to an older revision.
  save: `insert into write_model_snapshots (tenant_id, format_version, stream_revision, chain_head, state, state_sha256)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (tenant_id) do update
           set format_version = excluded.format_version, stream_revision = excluded.stream_revision, chain_head = excluded.chain_head,
               state = excluded.state, state_sha256 = excluded.state_sha256, taken_at = now()
         where write_model_snapshots.stream_revision < excluded.stream_revision
            or write_model_snapshots.format_version <> excluded.format_version`,
} as const;

/** Snapshots in PostgreSQL's `write_model_snapshots` (migration 0008). */
export class PostgresWriterSnapshots implements WriterSnapshots {
  constructor(private readonly pool: Pool) {}

  async load(tenantId: string): Promise<StateSnapshot | null> {
    const { rows } = await this.pool.query({ name: 'zl_snapshot_load', text: SQL.load, values: [tenantId] });
    if (rows.length === 0) return null;
    const row = rows[0];
    return { version: row.format_version, revision: BigInt(row.stream_revision), chain_head: row.chain_head, bytes: row.state, sha256: row.state_sha256 };
  }

  async save(tenantId: string, snapshot: StateSnapshot): Promise<void> {
    await this.pool.query({
      name: 'zl_snapshot_save',
      text: SQL.save,
      values: [tenantId, snapshot.version, snapshot.revision.toString(), snapshot.chain_head, snapshot.bytes, snapshot.sha256],
    });
  }
}
