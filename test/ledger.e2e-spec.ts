import { ALL_PROJECTIONS } from '#projections/index.js';
import { TestLedger } from './support/ledger.js';

describe('ledger core over HTTP', () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('walks the tour: tenant, accounts, posting, history, events', async () => {
    const tenant = await t.createTenant('tour');
    const treasury = await t.openAccount(tenant.key, { customer: 'treasury', account_type: 'operating', allow_negative: true });
    const alice = await t.openAccount(tenant.key, { customer: 'alice', metadata: { tier: 'gold' } });
    expect(alice).toMatchObject({
      tenant_id: tenant.id,
      customer: 'alice',
      currency: 'USD',
      normal_balance: 'credit',
      allow_negative: false,
      status: 'active',
      metadata: { tier: 'gold' },
      balances: { posted: '0', pending_debits: '0', pending_credits: '0', available: '0' },
      event: 'account.created',
    });
    expect(alice.position).toMatch(/^[0-9]+$/);

    const posted = await t.request('POST', '/transactions', {
      token: tenant.key,
      body: {
        entries: [
          { account_id: treasury.id, direction: 'debit', amount: '125000' },
          { account_id: alice.id, direction: 'credit', amount: 125000 },
        ],
        description: 'top-up',
        reference: 'ref-1',
        metadata: { source: 'card' },
      },
    });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ status: 'posted', description: 'top-up', reference: 'ref-1', event: 'ledger.entry.posted' });
    expect(posted.body.entries).toHaveLength(2);
    expect(posted.body.entries[1]).toMatchObject({ account_id: alice.id, direction: 'credit', amount: '125000', currency: 'USD', status: 'posted', balance_after: { posted: '125000', available: '125000' } });
    expect(posted.body.entries[0].balance_after).toEqual({ posted: '-125000', available: '-125000' });

    const fetched = await t.request('GET', `/transactions/${posted.body.id}`, { token: tenant.key });
    expect(fetched.status).toBe(200);
    const { event: _event, ...postedView } = posted.body;
    expect(fetched.body).toEqual(postedView);

    const account = await t.request('GET', `/accounts/${alice.id}`, { token: tenant.key });
    expect(account.status).toBe(200);
    expect(account.body.balances).toEqual({ posted: '125000', pending_debits: '0', pending_credits: '0', available: '125000' });

    const entries = await t.request('GET', `/accounts/${alice.id}/entries`, { token: tenant.key });
    expect(entries.status).toBe(200);
    expect(entries.body.data).toHaveLength(1);
    expect(entries.body.data[0]).toMatchObject({ transaction_id: posted.body.id, amount: '125000', balance_after: { posted: '125000', available: '125000' } });
    expect(entries.body.next_cursor).toBeNull();

    const events = await t.request('GET', '/events', { token: tenant.key });
    expect(events.status).toBe(200);
    expect(events.body.data.map((e: any) => e.type)).toEqual(['account.created', 'account.created', 'ledger.entry.posted']);
    expect(events.body.next_after).toBe(events.body.data[2].position);
    const after = await t.request('GET', `/events?after=${events.body.data[0].position}&limit=1`, { token: tenant.key });
    expect(after.body.data.map((e: any) => e.type)).toEqual(['account.created']);
  });

  it('lists accounts with a customer filter and cursor pages that concatenate to the whole list', async () => {
    const tenant = await t.createTenant('lister');
    const opened = [];
    for (let i = 0; i < 5; i++) opened.push(await t.openAccount(tenant.key, { customer: i % 2 ? 'odd' : 'even' }));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await t.request('GET', `/accounts?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: tenant.key });
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((a: any) => a.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(opened.map((a) => a.id));
    const odd = await t.request('GET', '/accounts?customer=odd', { token: tenant.key });
    expect(odd.body.data.map((a: any) => a.id)).toEqual([opened[1].id, opened[3].id]);
  });

  it('pages an account history oldest first; pages concatenate to the full history', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const [alice] = accounts;
    for (let i = 1; i <= 7; i++) expect((await t.transfer(key, funding.id, alice.id, String(i))).status).toBe(201);
    const amounts: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await t.request('GET', `/accounts/${alice.id}/entries?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: key });
      expect(res.status).toBe(200);
      amounts.push(...res.body.data.map((e: any) => e.amount));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(amounts).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    const full = await t.request('GET', `/accounts/${alice.id}/entries?limit=1000`, { token: key });
    expect(full.body.data.map((e: any) => e.balance_after.posted)).toEqual(['1', '3', '6', '10', '15', '21', '28']);
  });

  it('freezes, unfreezes and closes an account', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const id = accounts[0].id;
    const frozen = await t.request('POST', `/accounts/${id}/freeze`, { token: key });
    expect(frozen.status).toBe(200);
    expect(frozen.body).toMatchObject({ id, status: 'frozen', event: 'account.status_changed' });
    expect((await t.request('GET', `/accounts/${id}`, { token: key })).body.status).toBe('frozen');
    const refused = await t.transfer(key, funding.id, id, '5');
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('account_not_active');
    const active = await t.request('POST', `/accounts/${id}/unfreeze`, { token: key });
    expect(active.body.status).toBe('active');
    expect((await t.transfer(key, funding.id, id, '5')).status).toBe(201);
    const notEmpty = await t.request('POST', `/accounts/${id}/close`, { token: key });
    expect(notEmpty.status).toBe(422);
    expect(notEmpty.body.error.code).toBe('account_not_empty');
    expect((await t.transfer(key, id, funding.id, '5')).status).toBe(201);
    const closed = await t.request('POST', `/accounts/${id}/close`, { token: key });
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    const reopen = await t.request('POST', `/accounts/${id}/unfreeze`, { token: key });
    expect(reopen.status).toBe(422);
    expect(reopen.body.error.code).toBe('account_not_active');
  });

  it('issues API keys with roles and enforces them', async () => {
    const tenant = await t.createTenant('roles');
    const created = await t.request('POST', '/api-keys', { token: tenant.key, body: { role: 'auditor', name: 'audit bot' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'auditor', name: 'audit bot' });
    expect(created.body.key).toMatch(/^zl_/);
    const auditor = created.body.key;
    const service = await t.createKey(tenant.key, 'service');
    const operator = await t.createKey(tenant.key, 'operator');
    const account = await t.openAccount(service);
    expect((await t.request('GET', `/accounts/${account.id}`, { token: auditor })).status).toBe(200);
    expect((await t.request('POST', '/accounts', { token: auditor, body: { customer: 'x', currency: 'USD', account_type: 'c' } })).status).toBe(403);
    expect((await t.request('POST', `/accounts/${account.id}/freeze`, { token: operator })).status).toBe(200);
    expect((await t.request('POST', `/accounts/${account.id}/close`, { token: operator })).status).toBe(403);
    expect((await t.request('GET', '/audit-log', { token: service })).status).toBe(403);
    expect((await t.request('POST', '/api-keys', { token: service, body: { role: 'admin' } })).status).toBe(403);
    expect((await t.request('POST', '/tenants', { token: tenant.key, body: { name: 'nope' } })).status).toBe(403);

    const audit = await t.request('GET', '/audit-log?outcome=denied', { token: auditor });
    expect(audit.status).toBe(200);
    const actions = audit.body.data.map((e: any) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['open_account', 'close_account', 'read_audit_log', 'create_api_key', 'platform_admin']));
    for (const entry of audit.body.data) {
      expect(entry).toMatchObject({ tenant_id: tenant.id, outcome: 'denied' });
      expect(entry.actor).toMatch(/^key:/);
      expect(['auditor', 'operator', 'service', 'admin']).toContain(entry.role);
      expect(new Date(entry.timestamp).toString()).not.toBe('Invalid Date');
    }
    const allowed = await t.request('GET', '/audit-log?outcome=allowed', { token: auditor });
    // Administrative actions are audited too, with their actor: the platform admin made the tenant, its admin key the others.
    expect(allowed.body.data.map((e: any) => e.action)).toEqual(['create_tenant', 'create_api_key', 'create_api_key', 'create_api_key', 'open_account', 'change_account_status']);
    const listed = await t.request('GET', '/api-keys', { token: tenant.key });
    expect(listed.body).toMatchObject({ data: expect.any(Array), next_cursor: null });
    const bootstrap = listed.body.data[0];
    expect(bootstrap).toMatchObject({ name: 'bootstrap admin', role: 'admin', created_by: 'platform_admin' });
    expect(allowed.body.data.slice(0, 2).map((e: any) => [e.actor, e.role])).toEqual([['platform_admin', 'platform_admin'], [`key:${bootstrap.id}`, 'admin']]);
  });

  it('reports health, metrics and docs', async () => {
    const health = await t.request('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect(Object.keys(health.body.projection_lag).sort()).toEqual(ALL_PROJECTIONS.map((p) => p.name).sort());
    expect(Object.keys(health.body.projection_lag)).toEqual(expect.arrayContaining(['accounts', 'entries', 'transactions', 'event_feed', 'audit_log']));
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('zentra_projection_lag_events{projection="accounts"}');
    expect(metrics.body).toContain('zentra_http_requests_total');
    const docs = await t.request('GET', '/docs-json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/accounts', '/transactions', '/tenants']));
  });
});
