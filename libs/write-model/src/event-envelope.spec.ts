import { createHash } from 'node:crypto';
import { canonicalJson, JudgedCheck, leanPosting, LedgerEvent, postingOf, StoredEntryPostedData } from '#domain/index.js';
import { accountCreated, figures, posted } from '#domain/testing/ledger-fixtures.js';
import { GENESIS_HASH, verifyChain } from '#audit/index.js';
import { CommandEnvelope } from './command-envelope.js';
import { controlsOf, derivationRevision, envelopeEvent, evidenceControls, logTime } from './event-envelope.js';

const AT = '2030-01-02T03:04:05.000Z';
const AT_MS = Date.parse(AT);

const envelope: CommandEnvelope = {
  tenant_id: 'tenant-1',
  command: { type: 'open_account', customer: 'c', currency: 'USD', account_type: 'customer', normal_balance: 'credit', allow_negative: false, metadata: {} },
  idempotency_key: 'open-1',
  request_hash: 'hash-open-1',
  metadata: { actor: 'key:k1', role: 'admin', request_id: 'req-1', intent_id: 'intent-1', policy: ['role.passed'] },
};

/** The chain's definition, written out: SHA-256 of the canonical JSON of type, data, metadata less its hash, prev_hash (the previous event's hash). */
function definedHash(event: { type: string; data: unknown; metadata: Record<string, unknown> }, prevHash = GENESIS_HASH): string {
  const { hash: _ignored, ...metadata } = event.metadata;
  return createHash('sha256').update(canonicalJson({ type: event.type, data: event.data, metadata, prev_hash: prevHash })).digest('hex');
}

describe('logTime', () => {
  it("is the writer's clock when it is past the tenant's last event, in UTC with milliseconds", () => {
    expect(logTime(AT_MS, '2030-01-02T03:04:04.999Z')).toBe(AT);
    expect(logTime(AT_MS, null)).toBe(AT);
  });

  it("never goes back before the tenant's last event (another process's clock may be ahead)", () => {
    expect(logTime(AT_MS, '2030-01-02T03:04:05.001Z')).toBe('2030-01-02T03:04:05.001Z');
    expect(logTime(AT_MS, AT)).toBe(AT);
  });
});

describe('envelopeEvent', () => {
  const EDGE = ['tenant_scope.passed', 'role.passed'];
  const header = { scope: {}, status: 'active', created_at: AT, updated_at: AT } as const;
  const outflow = { account_id: 'acc-1', currency: 'USD', amount: 60n };
  // As decideJudged records them: an amount limit passed, a velocity limit observed over (50 used + 60 > 100).
  const passed: JudgedCheck = {
    policy: { ...header, id: 'p-1', name: 'cap', mode: 'enforce', version: 2, window_version: 2, type: 'amount_limit', params: { currency: 'USD', max_amount: 100n } },
    outflow,
    used: null,
    violated: false,
  };
  const observed: JudgedCheck = {
    policy: { ...header, id: 'p-2', name: 'pace', mode: 'observe', version: 1, window_version: 1, type: 'velocity_limit', params: { currency: 'USD', max_amount: 100n, window_seconds: 60, max_count: null } },
    outflow,
    used: { amount: 50n, count: 1 },
    violated: true,
  };
  const payment = posted('tx-1', [
    { account_id: 'acc-1', direction: 'debit', amount: '60', currency: 'USD', balance_after: figures() },
    { account_id: 'acc-2', direction: 'credit', amount: '60', currency: 'USD', balance_after: figures() },
  ] as never);
  const trigger = { type: 'balance.monitor.triggered', data: { policy_id: 'm-1' } } as unknown as LedgerEvent;

  it('keeps of the checks that ran only the revision they were decided at and what did not pass, in full', () => {
    const [controls] = controlsOf(EDGE, [passed, observed], [payment], 41n);
    expect(controls).toEqual({
      policy: EDGE,
      policy_revision: '41',
      policy_violations: [
        { policy_id: 'p-2', name: 'pace', type: 'velocity_limit', version: 1, mode: 'observe', outcome: 'observed_violation', account_id: 'acc-1', limit: '100', attempted: '60', used: '50', window_seconds: 60 },
      ],
    });
    const enveloped = envelopeEvent(payment, envelope, AT, null, controls);
    expect(enveloped.metadata).toMatchObject(controls);
    expect(enveloped.metadata).not.toHaveProperty('policies');
    // All passed: no violations key; no policy ran: nothing but the edge's checks.
    expect(controlsOf(EDGE, [passed], [payment], 41n)).toEqual([{ policy: EDGE, policy_revision: '41' }]);
    expect(controlsOf(EDGE, [], [payment, trigger], 41n)).toEqual([{ policy: EDGE }, { policy: EDGE }]);
  });

  it('gives an event that does not hold what was judged (a monitor trigger) every check in full', () => {
    const [, full] = controlsOf(EDGE, [passed], [payment, trigger], 7n);
    expect(full).toEqual({
      policy: [...EDGE, 'limit_check.passed'],
      policies: [{ policy_id: 'p-1', name: 'cap', type: 'amount_limit', version: 2, mode: 'enforce', outcome: 'passed', account_id: 'acc-1', limit: '100', attempted: '60' }],
    });
  });
});

describe('evidenceControls', () => {
  const derivedPassed = { check: 'limit_check', outcome: 'passed', policy_id: 'p-1', name: 'cap', type: 'amount_limit', version: 2, mode: 'enforce', account_id: 'acc-1', currency: 'USD', limit: '100', attempted: '60' } as const;
  const derivedPace = { ...derivedPassed, policy_id: 'p-2', name: 'pace', type: 'velocity_limit', version: 1, mode: 'observe', window_seconds: 60, measure: 'amount' } as const;
  const storedViolation = { policy_id: 'p-2', name: 'pace', type: 'velocity_limit', version: 1, mode: 'observe', outcome: 'observed_violation', account_id: 'acc-1', limit: '100', attempted: '60', used: '50', window_seconds: 60 } as const;

  it('reads an event from before derivation exactly as it was stored, even with a revision', () => {
    const old = { policy: ['tenant_scope.passed', 'role.passed', 'limit_check.passed'], policies: [{ ...storedViolation, outcome: 'passed' as const }] };
    expect(derivationRevision(old)).toBeNull();
    expect(evidenceControls(old, null)).toEqual(old);
    expect(evidenceControls({ ...old, policy_revision: '3' }, [derivedPassed])).toEqual(old);
    // Before policies existed: the edge's list and no detail.
    expect(evidenceControls({ policy: ['tenant_scope.passed'] }, null)).toEqual({ policy: ['tenant_scope.passed'], policies: [] });
  });

  it('names the derived checks in order, each stored violation in place of its check', () => {
    const meta = { policy: ['tenant_scope.passed', 'role.passed'], policy_revision: '12', policy_violations: [storedViolation] };
    expect(derivationRevision(meta)).toBe(12n);
    expect(evidenceControls(meta, [derivedPassed, derivedPace])).toEqual({
      policy: ['tenant_scope.passed', 'role.passed', 'limit_check.passed', 'limit_check.observed_violation'],
      policies: [
        { policy_id: 'p-1', name: 'cap', type: 'amount_limit', version: 2, mode: 'enforce', outcome: 'passed', account_id: 'acc-1', limit: '100', attempted: '60' },
        storedViolation,
      ],
    });
  });

  it('calls an allowlist check allowlist_check', () => {
    const allow = { ...derivedPassed, check: 'allowlist_check' as const, type: 'currency_allowlist' as const, limit: ['USD'], attempted: 'USD' };
    expect(evidenceControls({ policy: [], policy_revision: '1' }, [allow]).policy).toEqual(['allowlist_check.passed']);
  });
});

describe('envelopeEvent, metadata', () => {
  const event = accountCreated('acc-1');

  it('carries who asked, the idempotency key and request hash, the time and the command, in this order', () => {
    const enveloped = envelopeEvent(event, envelope, AT, null);
    expect(Object.keys(enveloped.metadata)).toEqual([
      'actor',
      'role',
      'request_id',
      'intent_id',
      'policy',
      'idempotency_key',
      'request_hash',
      'occurred_at',
      'command',
      'hash',
    ]);
    expect(enveloped.metadata).toMatchObject({
      actor: 'key:k1',
      role: 'admin',
      request_id: 'req-1',
      intent_id: 'intent-1',
      policy: ['role.passed'],
      idempotency_key: 'open-1',
      request_hash: 'hash-open-1',
      occurred_at: AT,
      command: 'open_account',
    });
    expect(enveloped).toMatchObject({ type: 'account.created', data: event.data });
  });

  it('leaves out the intent, idempotency key and request hash when the command has none', () => {
    const plain: CommandEnvelope = { ...envelope, idempotency_key: null, request_hash: null, metadata: { ...envelope.metadata, intent_id: null } };
    const enveloped = envelopeEvent(event, plain, AT, null);
    expect(Object.keys(enveloped.metadata)).toEqual(['actor', 'role', 'request_id', 'policy', 'occurred_at', 'command', 'hash']);
    expect(enveloped.metadata.hash).toBe(definedHash(enveloped));
  });

  it('stores a posting in its lean form, hashed as stored', () => {
    const payment = posted('tx-1', [
      { account_id: 'acc-1', direction: 'credit', amount: '5', balance_after: figures({ credits_posted: '5', posted: '5', available: '5' }) },
      { account_id: 'acc-2', direction: 'debit', amount: '5', balance_after: figures({ debits_posted: '5', posted: '-5', available: '-5' }) },
    ]);
    if (payment.type !== 'ledger.entry.posted') throw new Error('unreachable');
    const enveloped = envelopeEvent(payment, envelope, AT, null);
    expect(enveloped.data).toEqual(leanPosting(postingOf(payment.data)));
    expect(enveloped.data).not.toHaveProperty('description');
    expect(JSON.parse(enveloped.serialized.data)).toEqual(enveloped.data);
    expect(enveloped.metadata.hash).toBe(definedHash(enveloped));
    expect(postingOf(enveloped.data as StoredEntryPostedData)).toEqual(payment.data);
  });

  it('links the first event of a stream to the genesis hash, and hashes it as the chain defines', () => {
    const enveloped = envelopeEvent(event, envelope, AT, null);
    expect(enveloped.metadata.hash).toBe(definedHash(enveloped, GENESIS_HASH));
    expect(enveloped.metadata.hash).not.toBe(definedHash(enveloped, 'ab'.repeat(32)));
  });

  it('leaves out what the stream says: the tenant (ledger-<tenant>) and prev_hash (the previous event\'s hash, which the hash covers)', () => {
    const enveloped = envelopeEvent(event, envelope, AT, 'ab'.repeat(32));
    expect(enveloped.metadata).not.toHaveProperty('tenant_id');
    expect(enveloped.metadata).not.toHaveProperty('prev_hash');
    expect(enveloped.metadata.hash).toBe(definedHash(enveloped, 'ab'.repeat(32)));
  });

  it('links each event to the one before it: a chain verifyChain accepts, and one out of order it refuses', () => {
    const second: LedgerEvent = posted('tx-1', [
      { account_id: 'acc-1', direction: 'credit', amount: '5', balance_after: figures({ credits_posted: '5', posted: '5', available: '5' }) },
      { account_id: 'acc-2', direction: 'debit', amount: '5', balance_after: figures({ debits_posted: '5', posted: '-5', available: '-5' }) },
    ]);
    const head = 'ab'.repeat(32);
    const first = envelopeEvent(event, envelope, AT, head);
    const next = envelopeEvent(second, envelope, AT, first.metadata.hash as string);
    expect(first.metadata.hash).toBe(definedHash(first, head));
    expect(next.metadata.hash).toBe(definedHash(next, first.metadata.hash as string));
    const links = [first, next].map((e, index) => ({ ...e, position: BigInt(index) }));
    expect(verifyChain(links, head)).toEqual({ ok: true, head: next.metadata.hash, events: 2 });
    expect(verifyChain([...links].reverse(), head)).toMatchObject({ ok: false });
  });

  it('hands the store the JSON the hash was computed over (canonical data) and the metadata as JSON', () => {
    const enveloped = envelopeEvent(event, envelope, AT, null);
    expect(enveloped.serialized.data).toBe(canonicalJson(event.data));
    expect(JSON.parse(enveloped.serialized.metadata)).toEqual(enveloped.metadata);
  });

  it('gives every event its own id', () => {
    const ids = new Set(Array.from({ length: 100 }, () => envelopeEvent(event, envelope, AT, null).id));
    expect(ids.size).toBe(100);
  });
});
