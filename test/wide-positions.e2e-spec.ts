import { TestLedger } from './support/ledger.js';
import { WIDE, wideLog } from './support/wide-positions.js';

const INT8_MAX = (1n << 63n) - 1n;

/**
 * The whole service on a log whose positions look like EventStoreDB's (commit/prepare packed
 * into one integer, far beyond int8): checkpoints, read models, cursors, read-your-writes,
 * point-in-time reads, lag, evidence, chain heads and the drift check must all carry them, and
 * no figure may treat the distance between two positions as a number of events.
 */
describe('positions beyond int8 (EventStoreDB-shaped)', () => {
  let t: TestLedger;

  beforeAll(async () => {
    t = await TestLedger.start({}, undefined, wideLog);
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('serves every read, cursor, evidence and health figure with wide positions', async () => {
    const { key, funding, accounts } = await t.fundedTenant(2, '1000');
    const [alice, bob] = accounts;
    const first = await t.transfer(key, alice.id, bob.id, '100');
    expect(first.status).toBe(201);
    const firstPosition = BigInt(first.body.position);
    expect(firstPosition).toBeGreaterThan(INT8_MAX);
    expect(firstPosition % WIDE).toBe(0n);
    const second = await t.transfer(key, alice.id, bob.id, '50');
    const hold = await t.placeHold(key, { account_id: alice.id, destination_account_id: funding.id, amount: '40', reference: 'order-1' });
    expect(hold.status).toBe(201);
    const capture = await t.request('POST', `/holds/${hold.body.id}/capture`, { token: key, body: { amount: '30' } });
    expect(capture.status).toBe(200);

    // Read-your-writes through the watermark, then the balances.
    const account = await t.request('GET', `/accounts/${alice.id}`, { token: key });
    expect(account.body.balances).toMatchObject({ posted: '820', available: '820' });

    // The event feed: wide, increasing positions, paged with `after`.
    const feed = await t.request('GET', '/events?limit=3', { token: key });
    const positions = feed.body.data.map((e: any) => BigInt(e.position));
    expect(positions.every((p: bigint) => p > INT8_MAX && p % WIDE === 0n)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));
    const rest = await t.request('GET', `/events?after=${positions[2]}&limit=1000`, { token: key });
    expect(rest.status).toBe(200);
    expect(BigInt(rest.body.data[0].position)).toBeGreaterThan(positions[2]);

    // Entries paged by (position, index) cursors, one per page.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.request('GET', `/accounts/${alice.id}/entries?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: key });
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((e: any) => e.amount));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['1000', '100', '50', '30']);

    // As of the first transfer's position: before the second one.
    const asOf = await t.request('GET', `/accounts/${alice.id}/balances?as_of_position=${firstPosition}`, { token: key });
    expect(asOf.status).toBe(200);
    expect(asOf.body).toMatchObject({ as_of_position: firstPosition.toString(), balances: { posted: '900' } });
    // A read at the position a write returned waits for it, then answers.
    const settled = await t.request('GET', `/transactions/${second.body.id}?min_position=${second.body.position}`, { token: key });
    expect(settled.status).toBe(200);

    // Evidence: events found by their wide positions, chain walked, head signed at a wide position.
    const auditor = await t.createKey(key, 'auditor');
    const evidence = await t.request('GET', `/evidence/transactions/${first.body.id}`, { token: auditor });
    expect(evidence.body).toMatchObject({ status: 'audit_ready', ledger_entry: { position: firstPosition.toString() } });
    const holdEvidence = await t.request('GET', `/evidence/holds/${hold.body.id}`, { token: auditor });
    expect(holdEvidence.body.status).toBe('audit_ready');
    expect(holdEvidence.body.events.map((e: any) => e.ledger_entry.type)).toEqual(['balance.hold.created', 'ledger.entry.posted', 'balance.released']);
    const head = await t.request('GET', '/tenants/me/chain-head', { token: auditor });
    expect(BigInt(head.body.position)).toBeGreaterThan(INT8_MAX);

    // The drift check compares at wide checkpoints.
    const run = await t.request('POST', '/reconciliation/runs', { token: key });
    expect(run.body).toMatchObject({ status: 'balanced' });
    expect(BigInt(run.body.checked_position)).toBeGreaterThan(INT8_MAX);

    // Lag counts events, not position distance: caught up is 0, and the checkpoints are wide.
    const health = await t.request('GET', '/health');
    for (const lag of Object.values<any>(health.body.projection_lag)) {
      expect(BigInt(lag.lag_events)).toBeLessThan(100n);
    }
    const checkpoints = await t.query(`select name, position::text as position from projection_checkpoints where name = 'accounts'`);
    expect(BigInt(checkpoints[0].position)).toBeGreaterThan(INT8_MAX);
  });

  it('refuses positions beyond 2^128 and cursors it did not issue as 400, never 500', async () => {
    const { key, accounts } = await t.fundedTenant(1, '10');
    const tooBig = (1n << 128n).toString();
    for (const path of [`/events?after=${tooBig}`, `/accounts/${accounts[0].id}?min_position=${tooBig}`, `/accounts/${accounts[0].id}/balances?as_of_position=${tooBig}`]) {
      const res = await t.request('GET', path, { token: key });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const forged = Buffer.from(`${(1n << 100n).toString()}.99999999999`).toString('base64url');
    const res = await t.request('GET', `/accounts/${accounts[0].id}/entries?cursor=${forged}`, { token: key });
    expect(res.status).toBe(400);
  });
});
