import { TENANT_WAITERS_MAX, TenantConnectionGate } from './tenant-connection-gate.js';

const settled = async (promise: Promise<unknown>) => {
  let state = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
};

describe('TenantConnectionGate', () => {
  it('admits up to max reads of a tenant, queues the next in order, and other tenants are not affected', async () => {
    const gate = new TenantConnectionGate(2, 10_000);
    await gate.acquire('a');
    await gate.acquire('a');
    const third = gate.acquire('a');
    const fourth = gate.acquire('a');
    expect(await settled(third)).toBe('pending');
    expect(await settled(gate.acquire('b'))).toBe('resolved');
    gate.release('a');
    expect(await settled(third)).toBe('resolved');
    expect(await settled(fourth)).toBe('pending');
    expect(gate.held('a')).toBe(2);
    gate.release('a');
    expect(await settled(fourth)).toBe('resolved');
    gate.release('a');
    gate.release('a');
    expect(gate.held('a')).toBe(0);
  });

  it('refuses a read that waited longer than waitMs with 503 unavailable, and its place is given up', async () => {
    const gate = new TenantConnectionGate(1, 30);
    await gate.acquire('a');
    const started = Date.now();
    await expect(gate.acquire('a')).rejects.toMatchObject({ status: 503, code: 'unavailable' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    gate.release('a');
    expect(gate.held('a')).toBe(0);
    expect(await settled(gate.acquire('a'))).toBe('resolved');
  });

  it('refuses at once when TENANT_WAITERS_MAX reads of the tenant wait already', async () => {
    const gate = new TenantConnectionGate(1, 60_000);
    await gate.acquire('a');
    const waiting = Array.from({ length: TENANT_WAITERS_MAX }, () => gate.acquire('a'));
    await expect(gate.acquire('a')).rejects.toMatchObject({ status: 503 });
    for (let i = 0; i <= TENANT_WAITERS_MAX; i++) gate.release('a');
    await Promise.all(waiting);
    expect(gate.held('a')).toBe(0);
  });
});
