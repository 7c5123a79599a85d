import { ServiceProcess, waitUntilDead } from './support/process.js';

/** How long the service may take to decide commands again after its postmaster is killed (supervisor restart, WAL recovery, new connections). */
const RECOVERY_BOUND_MS = 30_000;
const RETRY_EVERY_MS = 50;

/**
 * The real service (`npm start`: its own embedded PostgreSQL, projector in-process) whose
 * postmaster is killed with kill -9: the embedded supervisor restarts it, requests meanwhile are
 * answered 503 (never a 500), and the service then decides, projects and replays on its own.
 */
describe('the service when its embedded PostgreSQL is killed (real processes)', () => {
  const service = new ServiceProcess(ServiceProcess.tempDataDir());
  afterAll(() => service.discard());

  it('answers 503 until the supervisor has restarted PostgreSQL, then decides and projects again', async () => {
    await service.start();
    const tenant = await service.request('POST', '/tenants', service.adminToken, { name: 'restarted' });
    expect(tenant.status).toBe(201);
    const key = tenant.body.api_key.key;
    const open = (body: object) => service.request('POST', '/accounts', key, { customer: 'c', currency: 'EUR', account_type: 'customer', ...body });
    const funding = (await open({ allow_negative: true })).body;
    const wallet = (await open({})).body;
    const transfer = (amount: string) => ({ entries: [{ account_id: funding.id, direction: 'debit', amount }, { account_id: wallet.id, direction: 'credit', amount }] });
    expect((await service.request('POST', '/transactions', key, transfer('100'), { 'Idempotency-Key': 'before' })).status).toBe(201);

    const killed = service.postgresPid()!;
    process.kill(killed, 'SIGKILL');
    await waitUntilDead(killed);

    // Retried with one key until decided: every answer before that is a 503 with the error envelope.
    const refusals: { status: number; code: unknown }[] = [];
    const deadline = Date.now() + RECOVERY_BOUND_MS;
    let decided: Awaited<ReturnType<ServiceProcess['request']>> | null = null;
    while (Date.now() < deadline) {
      const answer = await service.request('POST', '/transactions', key, transfer('23'), { 'Idempotency-Key': 'during' });
      if (answer.status === 201) {
        decided = answer;
        break;
      }
      refusals.push({ status: answer.status, code: answer.body?.error?.code });
      await new Promise((resolve) => setTimeout(resolve, RETRY_EVERY_MS));
    }
    expect(decided?.status).toBe(201);
    expect(refusals.filter((r) => r.status !== 503 || r.code !== 'unavailable')).toEqual([]);
    expect(service.output).toContain(`PostgreSQL (pid ${killed}) exited unexpectedly (signal SIGKILL): restarting it`);
    expect(service.output).toMatch(/PostgreSQL restarted \(pid \d+\) after \d+ ms/);
    expect(service.postgresPid()).not.toBe(killed);

    // The in-process projector resumed (its subscription and LISTEN connection came back): both postings are in the read model.
    const position = decided!.body.position;
    const balance = await service.request('GET', `/accounts/${wallet.id}?min_position=${position}`, key);
    expect(balance.status).toBe(200);
    expect(balance.body.balances.posted).toBe('123');
    // The key's answer was kept: a retry replays it.
    const retry = await service.request('POST', '/transactions', key, transfer('23'), { 'Idempotency-Key': 'during' });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.text).toBe(decided!.text);

    const code = await service.kill('SIGTERM');
    expect(code).toBe(0);
  }, 120_000);
});
