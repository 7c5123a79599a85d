import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { decide, evolve, initialState, isDomainError, LedgerCommand, LedgerEvent } from '#domain/index.js';

const INSERT_ROWS = 5_000;

/**
 * Writes a tenant's log of `events` real, decided events (accounts, then postings between
 * them) straight into the events table: the input for replay and rebuild benchmarks.
 */
export async function generateTenantLog(pool: Pool, events: number, accountCount = 1000): Promise<{ tenantId: string; written: number }> {
  const tenantId = randomUUID();
  const stream = `ledger-${tenantId}`;
  const state = initialState();
  let clock = Date.parse('2030-01-01T00:00:00Z');
  let id = 0;
  const ctx = () => ({ now: new Date((clock += 1)).toISOString(), newId: () => `00000000-0000-4000-8000-${(id++).toString(16).padStart(12, '0')}` });
  const accountIds: string[] = [];
  let written = 0;
  let rows: unknown[][] = [[], [], [], [], [], []];

  const flush = async () => {
    if (rows[0].length === 0) return;
    await pool.query(
      `insert into events (stream_id, stream_revision, event_id, type, data, metadata)
       select * from unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])`,
      rows,
    );
    rows = [[], [], [], [], [], []];
  };

  while (written < events) {
    let command: LedgerCommand;
    if (accountIds.length < accountCount) {
      command = { type: 'open_account', customer: `c${accountIds.length}`, currency: 'USD', account_type: 'customer', normal_balance: 'credit', allow_negative: true, metadata: {} };
    } else {
      const from = accountIds[written % accountCount];
      const to = accountIds[(written * 7 + 3) % accountCount];
      command = {
        type: 'post_transaction',
        entries: [
          { account_id: from, direction: 'debit', amount: BigInt(1 + (written % 997)) },
          { account_id: to === from ? accountIds[(written + 1) % accountCount] : to, direction: 'credit', amount: BigInt(1 + (written % 997)) },
        ],
        description: null,
        reference: null,
        metadata: {},
      };
    }
    const c = ctx();
    const decision = decide(state, command, c);
    if (isDomainError(decision)) throw new Error(`generator produced a refused command: ${decision.code}`);
    for (const event of decision as LedgerEvent[]) {
      const revision = state.revision + 1n;
      const metadata = { tenant_id: tenantId, actor: 'bench', role: 'service', occurred_at: c.now, command: command.type };
      evolve(state, event, revision, metadata);
      if (event.type === 'account.created') accountIds.push(event.data.account_id);
      rows[0].push(stream);
      rows[1].push(revision.toString());
      rows[2].push(randomUUID());
      rows[3].push(event.type);
      rows[4].push(JSON.stringify(event.data));
      rows[5].push(JSON.stringify(metadata));
      written++;
    }
    if (rows[0].length >= INSERT_ROWS) await flush();
  }
  await flush();
  await pool.query(`insert into streams (stream_id, revision) values ($1, $2)`, [stream, state.revision.toString()]);
  return { tenantId, written };
}
