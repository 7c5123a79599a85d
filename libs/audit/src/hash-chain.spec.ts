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
