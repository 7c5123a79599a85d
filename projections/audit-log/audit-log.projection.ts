import { PoolClient } from 'pg';
import { AccountCreatedData, AccountStatusChangedData, StoredEntryPostedData } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';
import { ACCESS_DENIED, AccessDeniedData, ADMIN_ACTION, AdminActionData } from '#audit/index.js';
import { ColumnBatch, copyRows, Projection, isLedgerEvent, occurredAt, tenantOf } from '#projection-runtime/index.js';

const SQL = {
  insert: `
    insert into audit_log (position, tenant_id, event_id, actor, role, action, resource, outcome, reason, request_id, timestamp)
    select * from unnest($1::numeric[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                         $9::text[], $10::text[], $11::timestamptz[])
    on conflict (position) do nothing`,
  page: `select position, event_id, actor, tenant_id, role, action, resource, outcome, reason, request_id, timestamp
           from audit_log
          where tenant_id = $1 and position > $2
          order by position limit $3`,
  /** Its own statement: only with the outcome in the text can the partial index (outcomes other than allowed) serve it. */
  pageDenied: `select position, event_id, actor, tenant_id, role, action, resource, outcome, reason, request_id, timestamp
           from audit_log
          where tenant_id = $1 and outcome = 'denied' and position > $2
          order by position limit $3`,
  pageAllowed: `select position, event_id, actor, tenant_id, role, action, resource, outcome, reason, request_id, timestamp
           from audit_log
          where tenant_id = $1 and outcome = 'allowed' and position > $2
          order by position limit $3`,
};

function resourceOf(event: RecordedEvent): string | null {
  switch (event.type) {
    case 'account.created':
      return `account:${(event.data as AccountCreatedData).account_id}`;
    case 'account.status_changed':
      return `account:${(event.data as AccountStatusChangedData).account_id}`;
    case 'ledger.entry.posted':
      return `transaction:${(event.data as StoredEntryPostedData).transaction_id}`;
    case 'ledger.entry.reversed':
      return `transaction:${(event.data as { transaction_id: string }).transaction_id}`;
    case 'balance.hold.created':
    case 'balance.released':
      return `hold:${(event.data as { hold_id: string }).hold_id}`;
    case 'policy.created':
    case 'policy.updated':
    case 'policy.disabled':
      return `policy:${(event.data as { policy_id: string }).policy_id}`;
    // What the monitor watched: the account whose balance crossed (the policy is in the event).
    case 'balance.monitor.triggered':
      return `account:${(event.data as { account_id: string }).account_id}`;
    case 'route.created':
    case 'route.status_changed':
      return `route:${(event.data as { route_id: string }).route_id}`;
    case 'intent.accepted':
    case 'intent.routed':
    case 'intent.refused':
    case 'intent.settled':
    case 'intent.canceled':
      return `intent:${(event.data as { intent_id: string }).intent_id}`;
    default:
      return null;
  }
}

/** The read model's tables at `version` (a change here is a new version: the model is rebuilt from the log). */
const TABLES = `
  create table audit_log (
    position numeric(39,0) not null,
    tenant_id uuid not null,
    event_id uuid not null,
    actor text not null,
    role text not null,
    action text not null,
    resource text,
    outcome text not null,
    reason text,
    request_id text,
    timestamp timestamptz not null
  );`;
/** Its key and secondary indexes (a rebuild builds them after filling the table: bulk-rebuild.ts). */
const INDEXES = `
  alter table audit_log add primary key (position);
  create index audit_log_tenant on audit_log (tenant_id, position);
  -- Nearly every entry is allowed: the denied filter reads this; allowed reads the tenant index.
  create index audit_log_tenant_not_allowed on audit_log (tenant_id, outcome, position) where outcome <> 'allowed';`;

/** Who did what: every ledger event (allowed) and every denied attempt, per tenant. */
export const auditLogProjection: Projection = {
  name: 'audit_log',
  // Still 1 although policy events now name a resource: no log holds a policy event written
  // before (nothing could append one until the /policies routes), so a rebuild would change nothing.
  version: 1,
  tables: ['audit_log'],
  schema: TABLES + INDEXES,
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    const rows = new ColumnBatch(COLUMNS.length);
    for (const row of auditRows(events)) rows.add(row);
    await rows.flush(tx, SQL.insert);
  },
  bulk: {
    indexes: INDEXES,
    async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
      await copyRows(tx, 'audit_log', COLUMNS, auditRows(events));
    },
  },
};

/** The columns of `insert`, in its order (a rebuild's COPY). */
const COLUMNS = ['position', 'tenant_id', 'event_id', 'actor', 'role', 'action', 'resource', 'outcome', 'reason', 'request_id', 'timestamp'];

/** The rows a batch adds, in COLUMNS order: every ledger event (allowed), admin action and denied attempt. */
function auditRows(events: RecordedEvent[]): unknown[][] {
  const rows: unknown[][] = [];
  for (const event of events) {
    if (event.type === ACCESS_DENIED) {
      const d = event.data as AccessDeniedData;
      rows.push([event.position.toString(), d.tenant_id, event.id, d.actor, d.role, d.action, d.resource, 'denied', d.reason, d.request_id, d.timestamp]);
    } else if (event.type === ADMIN_ACTION) {
      const d = event.data as AdminActionData;
      rows.push([event.position.toString(), d.tenant_id, event.id, d.actor, d.role, d.action, d.resource, 'allowed', null, d.request_id, d.timestamp]);
    } else if (isLedgerEvent(event)) {
      const m = event.metadata;
      rows.push([
        event.position.toString(), tenantOf(event), event.id, m.actor, m.role, m.command ?? event.type, resourceOf(event),
        'allowed', null, m.request_id ?? null, occurredAt(event),
      ]);
    }
  }
  return rows;
}

export interface AuditEntry {
  id: string;
  actor: string;
  tenant_id: string;
  role: string;
  action: string;
  resource: string | null;
  outcome: 'allowed' | 'denied';
  reason: string | null;
  request_id: string | null;
  timestamp: string;
  position: string;
}

export async function auditPage(
  tx: { query: PoolClient['query'] },
  tenantId: string,
  outcome: AuditEntry['outcome'] | null,
  after: bigint,
  limit: number,
): Promise<AuditEntry[]> {
  const [name, text] = outcome === null ? ['audit_page', SQL.page] : outcome === 'allowed' ? ['audit_page_allowed', SQL.pageAllowed] : ['audit_page_denied', SQL.pageDenied];
  const { rows } = await tx.query({ name, text, values: [tenantId, after.toString(), limit] });
  return rows.map((row: any) => ({
    id: row.event_id,
    actor: row.actor,
    tenant_id: row.tenant_id,
    role: row.role,
    action: row.action,
    resource: row.resource,
    outcome: row.outcome,
    reason: row.reason,
    request_id: row.request_id,
    timestamp: new Date(row.timestamp).toISOString(),
    position: String(row.position),
  }));
}
