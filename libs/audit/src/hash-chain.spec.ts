import { createHash } from 'node:crypto';
import { canonicalJson } from '#domain/index.js';
import { eventHash, GENESIS_HASH, linkEvent, verifyChain } from './hash-chain.js';

/** The chain's definition: SHA-256 of the canonical JSON of type, data, metadata without hash, prev_hash. */
function definition(type: string, data: unknown, metadata: Record<string, unknown>, prevHash: string): string {
  const { hash: _ignored, ...withoutHash } = metadata;
  return createHash('sha256').update(canonicalJson({ type, data, metadata: withoutHash, prev_hash: prevHash })).digest('hex');
}

const posted = {
  transaction_id: 't-1',
  description: 'with "quotes" and ü',
  reference: null,
  metadata: { z: 1, a: [true, null, { y: 'x', b: 2 }] },
  posted_at: '2026-11-28T08:00:00.000Z',
  entries: [{ entry_id: 'e-1', account_id: 'a-1', direction: 'debit', amount: '125000', currency: 'USD', balance_after: { posted: '-125000', available: '-125000' } }],
};
const metadata = { tenant_id: 't', actor: 'key:k', policy: ['role.passed'], idempotency_key: null, occurred_at: '2026-11-28T08:00:00.000Z', prev_hash: GENESIS_HASH };

describe('linkEvent', () => {
  it.each([
    ['a posting', 'ledger.entry.posted', posted, metadata],
    ['metadata that already carries a hash', 'ledger.entry.posted', posted, { ...metadata, hash: 'f'.repeat(64) }],
    ['empty data and metadata', 'account.status_changed', {}, {}],
    ['a type that needs escaping', 'odd "type"\n', { n: 1.5, big: 10n }, { undefinedMember: undefined }],
    ['no data at all', 'x', undefined, { a: 1 }],
  ])('hashes %s exactly as the definition', (_name, type, data, meta) => {
    const link = linkEvent(type, data, meta as Record<string, unknown>, 'a'.repeat(64));
    expect(link.hash).toBe(definition(type, data, meta as Record<string, unknown>, 'a'.repeat(64)));
    expect(eventHash(type, data, meta as Record<string, unknown>, 'a'.repeat(64))).toBe(link.hash);
  });

  it('returns the data as JSON of the same value', () => {
    expect(JSON.parse(linkEvent('ledger.entry.posted', posted, metadata, GENESIS_HASH).dataJson)).toEqual(posted);
  });

  it('links events into a chain verifyChain accepts, and a changed byte breaks it', () => {
    let prev = GENESIS_HASH;
    const links = [1, 2, 3].map((n) => {
      const meta: Record<string, unknown> = { ...metadata, prev_hash: prev };
      meta.hash = linkEvent('ledger.entry.posted', { ...posted, transaction_id: `t-${n}` }, meta, prev).hash;
      prev = meta.hash as string;
      return { position: BigInt(n), id: `ev-${n}`, type: 'ledger.entry.posted', data: { ...posted, transaction_id: `t-${n}` }, metadata: meta };
    });
    expect(verifyChain(links)).toEqual({ ok: true, head: prev, events: 3 });
    links[1].data = { ...links[1].data, description: 'changed' };
    expect(verifyChain(links)).toMatchObject({ ok: false, event_id: 'ev-2' });
  });
});

describe('verifyChain over events that leave prev_hash out (the lean metadata, since 2026-12-05)', () => {
  /** Events 1..n linked from GENESIS_HASH; the first `stating` of them state their prev_hash, as events did before. */
  function chain(n: number, stating: number) {
    let prev = GENESIS_HASH;
    return Array.from({ length: n }, (_, i) => {
      const { prev_hash: _left, tenant_id: _tenant, ...lean } = metadata;
      const meta: Record<string, unknown> = i < stating ? { ...metadata, prev_hash: prev } : { ...lean };
      const data = { ...posted, transaction_id: `t-${i}` };
      meta.hash = linkEvent('ledger.entry.posted', data, meta, prev).hash;
      prev = meta.hash as string;
      return { position: BigInt(i), id: `ev-${i}`, type: 'ledger.entry.posted', data, metadata: meta };
    });
  }

  it('accepts a chain of them, and one that continues a chain of events that state it', () => {
    for (const links of [chain(4, 0), chain(4, 2)]) expect(verifyChain(links)).toEqual({ ok: true, head: links[3].metadata.hash, events: 4 });
  });

  it('refuses them from any other start, in any other order, and with any event changed, rehashed or not', () => {
    const links = chain(4, 2);
    expect(verifyChain(links, 'ab'.repeat(32))).toMatchObject({ ok: false, event_id: 'ev-0' });
    expect(verifyChain(chain(4, 0).slice(1))).toMatchObject({ ok: false, event_id: 'ev-1' });
    expect(verifyChain([links[0], links[1], links[3], links[2]])).toMatchObject({ ok: false, event_id: 'ev-3' });
    const changed = chain(4, 2);
    changed[2].data = { ...changed[2].data, description: 'changed' };
    expect(verifyChain(changed)).toMatchObject({ ok: false, event_id: 'ev-2' });
    // Rehashed over its predecessor: sound in itself, but the next event was hashed over the old hash.
    changed[2].metadata.hash = linkEvent('ledger.entry.posted', changed[2].data, changed[2].metadata, changed[1].metadata.hash as string).hash;
    expect(verifyChain(changed)).toMatchObject({ ok: false, event_id: 'ev-3' });
    // An event that stated its prev_hash cannot lose it: its hash covers it.
    const stripped = chain(4, 2);
    const { prev_hash: _gone, ...rest } = stripped[1].metadata;
    stripped[1].metadata = rest;
    expect(verifyChain(stripped)).toMatchObject({ ok: false, event_id: 'ev-1' });
  });
});
