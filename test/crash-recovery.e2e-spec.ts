import { rmSync } from 'node:fs';
import path from 'node:path';
import { cliOn, processAlive, ServiceProcess, waitUntilDead } from './support/process.js';

/**
 * The real service in its own process on its own embedded PostgreSQL: killed with SIGKILL
 * after a 201, restarted on the same data directory, it still has the posting and answers the
 * retry with the original. SIGTERM stops it cleanly, PostgreSQL included.
 */
describe('crash recovery and shutdown (real processes)', () => {
  const service = new ServiceProcess(ServiceProcess.tempDataDir());
  afterAll(() => service.discard());

  it('keeps a posting across kill -9 and replays the original answer to a retry', async () => {
    await service.start();
    const admin = service.adminToken;
    const tenant = await service.request('POST', '/tenants', admin, { name: 'crashy' });
    expect(tenant.status).toBe(201);
    const key = tenant.body.api_key.key;
    const open = (body: object) => service.request('POST', '/accounts', key, { customer: 'c', currency: 'EUR', account_type: 'customer', ...body });
    const funding = (await open({ allow_negative: true })).body;
    const wallet = (await open({})).body;
    const transfer = {
      entries: [
        { account_id: funding.id, direction: 'debit', amount: '4200' },
        { account_id: wallet.id, direction: 'credit', amount: '4200' },
      ],
    };
    const first = await service.request('POST', '/transactions', key, transfer, { 'Idempotency-Key': 'crash-1' });
    expect(first.status).toBe(201);

    // A machine crash: the service and its PostgreSQL die at once, leaving a stale postmaster.pid.
    const pgPid = service.postgresPid()!;
    expect(processAlive(pgPid)).toBe(true);
    await service.kill('SIGKILL');
    process.kill(pgPid, 'SIGKILL');
    await waitUntilDead(pgPid);

    await service.start();
    // A new process knows nothing of the old one's writes: the client passes min_position (docs/api-semantics.md).
    const stored = await service.request('GET', `/transactions/${first.body.id}?min_position=${first.body.position}`, key);
    expect(stored.status).toBe(200);
    expect(stored.body.entries.map((e: any) => e.amount)).toEqual(['4200', '4200']);
    const retry = await service.request('POST', '/transactions', key, transfer, { 'Idempotency-Key': 'crash-1' });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.text).toBe(first.text);
    const balance = await service.request('GET', `/accounts/${wallet.id}`, key);
    expect(balance.body.balances.posted).toBe('4200');

    // Only the service dies: its PostgreSQL lives on as an orphan; the next start takes it over.
    const orphan = service.postgresPid()!;
    await service.kill('SIGKILL');
    expect(processAlive(orphan)).toBe(true);
    await service.start();
    expect((await service.request('GET', `/accounts/${wallet.id}`, key)).body.balances.posted).toBe('4200');

    expect((await service.request('GET', '/docs', '')).status).toBe(200);

    // The auditor's CLI uses the running service's embedded PostgreSQL...
    const whileRunning = await cliOn(service.dataDir, ['replay', '--tenant', tenant.body.id, '--json']);
    expect(whileRunning.code).toBe(0);
    const replayed = JSON.parse(whileRunning.stdout);
    expect(replayed.accounts.find((a: any) => a.account_id === wallet.id).balances.posted).toBe('4200');

    const pgPidNow = service.postgresPid()!;
    const code = await service.kill('SIGTERM');
    if (code !== 0) console.error(`service output on a failed shutdown:\n${service.output.slice(-3000)}`);
    expect(code).toBe(0);
    await waitUntilDead(pgPidNow);
    expect(service.output).toContain('stopped cleanly');
    expect(service.output).toMatch(/listening on .*event log: PostgreSQL \(events table\)/);

    // ...and starts it itself when no service runs, with the same answer.
    const stopped = await cliOn(service.dataDir, ['replay', '--tenant', tenant.body.id, '--json']);
    expect(stopped.code).toBe(0);
    expect(JSON.parse(stopped.stdout).state_hash).toBe(replayed.state_hash);
    expect(stopped.stderr).toContain('starting its embedded PostgreSQL');
    expect(service.postgresPid()).toBeNull();
  });

  it('pending holds still expire after a restart (the sweep works from the read model, not memory)', async () => {
    const restarted = new ServiceProcess(ServiceProcess.tempDataDir());
    try {
      await restarted.start();
      const tenant = await restarted.request('POST', '/tenants', restarted.adminToken, { name: 'holdy' });
      const key = tenant.body.api_key.key;
      const open = (body: object) => restarted.request('POST', '/accounts', key, { customer: 'c', currency: 'USD', account_type: 'customer', ...body });
      const funding = (await open({ allow_negative: true })).body;
      const payer = (await open({})).body;
      await restarted.request('POST', '/transactions', key, {
        entries: [{ account_id: funding.id, direction: 'debit', amount: '100' }, { account_id: payer.id, direction: 'credit', amount: '100' }],
      });
      const hold = await restarted.request('POST', '/holds', key, {
        account_id: payer.id,
        destination_account_id: funding.id,
        amount: '60',
        expires_at: new Date(Date.now() + 1500).toISOString(),
      });
      expect(hold.status).toBe(201);
      // Down before the hold expires (a crash), back after it has.
      const pg = restarted.postgresPid()!;
      await restarted.kill('SIGKILL');
      process.kill(pg, 'SIGKILL');
      await waitUntilDead(pg);
      await new Promise((r) => setTimeout(r, 1600));
      await restarted.start();
      const deadline = Date.now() + 15_000;
      let status = '';
      while (Date.now() < deadline) {
        const res = await restarted.request('GET', `/holds/${hold.body.id}?min_position=${hold.body.position}`, key);
        status = res.body.status;
        if (status === 'expired') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe('expired');
      const balances = await restarted.request('GET', `/accounts/${payer.id}`, key);
      expect(balances.body.balances).toMatchObject({ posted: '100', pending_debits: '0', available: '100' });
    } finally {
      if (restarted.child && restarted.child.exitCode === null) await restarted.kill('SIGTERM');
      const pg = restarted.postgresPid();
      if (pg && processAlive(pg)) process.kill(pg, 'SIGKILL');
      rmSync(path.dirname(restarted.dataDir), { recursive: true, force: true });
    }
  });
});
