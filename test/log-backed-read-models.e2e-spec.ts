import { dataForConsumers } from '#domain/index.js';
import { TestLedger } from './support/ledger.js';
import { expectRebuildIdentical } from './support/read-models.js';

async function columnsOf(t: TestLedger, table: string): Promise<string[]> {
  const rows = await t.query(`select column_name from information_schema.columns where table_schema = 'public' and table_name = $1 order by column_name`, [table]);
  return rows.map((c: any) => c.column_name);
}

/** A tenant's whole feed, page by page, and the evidence of its hold. */
async function answers(t: TestLedger, key: string, holdId: string) {
  const pages: unknown[] = [];
  for (let after = '0'; ; ) {
    const page = await t.request('GET', `/events?after=${after}&limit=3`, { token: key });
    expect(page.status).toBe(200);
    if (page.body.data.length === 0) break;
    pages.push(page.body);
    after = page.body.next_after;
  }
  const evidence = await t.request('GET', `/evidence/holds/${holdId}`, { token: key });
  expect(evidence.status).toBe(200);
  return { pages, hold_events: evidence.body.events.map((e: any) => e.ledger_entry) };
}

/** Postings, a hold captured in part, a reversal: every kind of feed event. */
async function scenario(t: TestLedger) {
  const { key, tenantId, funding, accounts } = await t.fundedTenant(2, '500');
  const moved = await t.transfer(key, accounts[0].id, accounts[1].id, '125');
  const hold = await t.placeHold(key, { account_id: accounts[0].id, destination_account_id: funding.id, amount: '30' });
  await t.request('POST', `/holds/${hold.body.id}/capture`, { token: key, body: { amount: '10' } });
  await t.request('POST', `/transactions/${moved.body.id}/reverse`, { token: key });
  return { key, tenantId, holdId: hold.body.id as string };
}

describe('event feed', () => {
  it('lists exactly the tenant ledger stream, in log order, with each event as the log holds it (a posting in its full form)', async () => {
    const t = await TestLedger.start();
    try {
      const { key, tenantId, holdId } = await scenario(t);
      await scenario(t); // another tenant's events interleave in the log
      const { pages, hold_events } = await answers(t, key, holdId);
      const listed = pages.flatMap((p: any) => p.data);
      const log = await t.query(
        `select event_id, type, global_position::text as position, data, metadata->>'occurred_at' as occurred_at
           from events where stream_id = $1 order by stream_revision`,
        [`ledger-${tenantId}`],
      );
      expect(listed).toEqual(log.map((e: any) => ({ id: e.event_id, type: e.type, position: e.position, occurred_at: e.occurred_at, data: dataForConsumers(e.type, e.data) })));
      // The log holds postings lean (stored-posting.ts); the feed shows every field, as it always did.
      const posting = log.findIndex((e: any) => e.type === 'ledger.entry.posted');
      expect(log[posting].data.entries[0]).not.toHaveProperty('entry_id');
      expect(listed[posting].data).toMatchObject({ reference: null, metadata: {} });
      for (const entry of listed[posting].data.entries) expect(entry).toMatchObject({ entry_id: expect.stringMatching(/^[0-9a-f-]{36}$/), currency: 'USD' });
      expect(hold_events.map((e: any) => e.type)).toEqual(['balance.hold.created', 'ledger.entry.posted', 'balance.released']);
      // The read model keeps where each event is, not a copy of it.
      expect(await columnsOf(t, 'event_feed')).toEqual(['hold_id', 'position', 'stream_revision', 'tenant_id']);
      await expectRebuildIdentical(t.db.url, 'event_feed');
    } finally {
      await t.stop();
    }
  });
});

describe('transactions read model', () => {
  /** A posting with description, reference and metadata, one that is then reversed, and the reversal. */
  async function postings(t: TestLedger) {
    const { key, funding, accounts } = await t.fundedTenant(2, '500');
    const described = await t.request('POST', '/transactions', {
      token: key,
      body: {
        description: 'invoice 42', reference: 'INV-42', metadata: { order: { id: 'o-1', lines: [1, 2] }, note: 'é ✓' },
        entries: [
          { account_id: accounts[0].id, direction: 'debit', amount: '70' },
          { account_id: accounts[1].id, direction: 'credit', amount: '50' },
          { account_id: funding.id, direction: 'credit', amount: '20' },
        ],
      },
    });
    expect(described.status).toBe(201);
    const moved = await t.transfer(key, accounts[1].id, accounts[0].id, '5');
    const reversal = await t.request('POST', `/transactions/${moved.body.id}/reverse`, { token: key });
    expect(reversal.status).toBe(201);
    return { key, ids: [described.body.id, moved.body.id, reversal.body.id] as string[] };
  }

  async function shown(t: TestLedger, key: string, ids: string[]) {
    const seen: unknown[] = [];
    for (const id of ids) {
      const transaction = await t.request('GET', `/transactions/${id}`, { token: key });
      expect(transaction.status).toBe(200);
      const evidence = await t.request('GET', `/evidence/transactions/${id}`, { token: key });
      expect(evidence.status).toBe(200);
      seen.push(transaction.body, evidence.body.ledger_entry);
    }
    return seen;
  }

  it('shows each transaction from its posting event: entries and metadata as the log holds them, status as the read model saw it', async () => {
    const t = await TestLedger.start();
    try {
      const { key, ids } = await postings(t);
      const [described, moved, reversal] = (await shown(t, key, ids)).filter((_, i) => i % 2 === 0) as any[];
      expect(described).toMatchObject({ description: 'invoice 42', reference: 'INV-42', metadata: { order: { id: 'o-1', lines: [1, 2] }, note: 'é ✓' }, status: 'posted', reversed_by: null });
      expect(described.entries.map((e: any) => [e.direction, e.amount])).toEqual([['debit', '70'], ['credit', '50'], ['credit', '20']]);
      expect(moved).toMatchObject({ status: 'reversed', reversed_by: reversal.id });
      expect(reversal).toMatchObject({ status: 'posted', reverses: moved.id });
      const columns = await columnsOf(t, 'transactions');
      // What is shown comes from the event; the row holds only what GET /transactions filters on
      // (posting time, metadata for containment, the accounts touched) and what changed since.
      expect(columns).not.toContain('entries');
      expect(columns).toEqual(['account_ids', 'id', 'metadata', 'position', 'posted_at', 'reference', 'reversed_by', 'status', 'tenant_id']);
      await expectRebuildIdentical(t.db.url, 'transactions');
    } finally {
      await t.stop();
    }
  });
});
