// The posting's two forms (stored-posting.ts): what new events leave out, and that readers see the same either way.
import { EntryPostedData, LedgerEvent, StoredEntryPostedData } from './events.js';
import { dataForConsumers, entryCurrency, entryIdOf, leanPosting, postingOf } from './stored-posting.js';
import { fold, serializeState } from './testing/given-when-then.js';
import { accountCreated, figures, posted } from './testing/ledger-fixtures.js';

/** A posting as every event was written until the lean form (a copy of a stored one, ids random). */
const FULL: EntryPostedData = {
  entries: [
    {
      amount: '125000',
      currency: 'USD',
      entry_id: '0b9d6c1e-47a2-4f0e-9b51-3f1c2a7d8e90',
      direction: 'debit',
      account_id: 'b3d0f7a4-9c61-4f25-8e0b-6a2d1c4e5f70',
      balance_after: { posted: '125000', available: '125000', debits_posted: '125000', credits_posted: '0', debits_pending: '0', credits_pending: '0' },
    },
    {
      amount: '125000',
      currency: 'USD',
      entry_id: '5e2a8b7c-1d3f-4a6e-b0c9-8f7d6e5a4b31',
      direction: 'credit',
      account_id: 'c7e1a2b3-4d5f-4a6b-9c8d-7e6f5a4b3c21',
      balance_after: { posted: '125000', available: '125000', debits_posted: '0', credits_posted: '125000', debits_pending: '0', credits_pending: '0' },
    },
  ],
  metadata: {},
  posted_at: '2026-12-04T09:30:00.000Z',
  reference: null,
  description: null,
  transaction_id: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
};

describe('entryIdOf', () => {
  const TX = FULL.transaction_id;

  it('is a version-8 UUID: SHA-256 of "<transaction id>/<index>", its first 16 bytes with the version and variant bits set', () => {
    // Worked out apart from the code (Python's hashlib): sha256(b'<TX>/0')[:16], byte 6 -> 0x8_, byte 8 -> 0b10xx_xxxx.
    expect(entryIdOf(TX, 0)).toBe('a2c5d3b6-7d90-8d99-aa92-192af983d101');
    for (let index = 0; index < 64; index++) expect(entryIdOf(TX, index)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives the same id for the same transaction and index, and a different one for any other', () => {
    expect(entryIdOf(TX, 3)).toBe(entryIdOf(TX, 3));
    const ids = new Set<string>();
    for (const tx of [TX, 'a1b2c3d4-0000-4000-8000-000000000001', '9F8E7D6C-5B4A-4392-8170-6F5E4D3C2B1A']) for (let index = 0; index < 512; index++) ids.add(entryIdOf(tx, index));
    expect(ids.size).toBe(3 * 512);
    // "<tx>/1" + "1" is not "<tx>/11": the index ends the name.
    expect(entryIdOf(`${TX}/1`, 1)).not.toBe(entryIdOf(TX, 11));
  });
});

describe('postingOf', () => {
  it('reads a full-form posting back unchanged', () => {
    expect(postingOf(FULL)).toEqual(FULL);
    expect(postingOf({ ...FULL, description: 'top-up', reference: 'r-1', metadata: { k: 'v' }, hold_id: 'h-1' })).toEqual({ ...FULL, description: 'top-up', reference: 'r-1', metadata: { k: 'v' }, hold_id: 'h-1' });
  });

  it('reads what the lean form leaves out as null, {}', () => {
    const { description: _d, reference: _r, metadata: _m, ...lean } = FULL;
    expect(postingOf(lean)).toEqual(FULL);
  });
});

describe('leanPosting', () => {
  it('leaves out description and reference when null and metadata when empty', () => {
    const lean = leanPosting(FULL);
    expect(lean).not.toHaveProperty('description');
    expect(lean).not.toHaveProperty('reference');
    expect(lean).not.toHaveProperty('metadata');
    expect(JSON.stringify(lean).length).toBeLessThan(JSON.stringify(FULL).length);
  });

  it('keeps them when they say something', () => {
    const said = { ...FULL, description: 'top-up', reference: 'r-1', metadata: { k: 'v' } };
    expect(leanPosting(said)).toMatchObject({ description: 'top-up', reference: 'r-1', metadata: { k: 'v' } });
  });

  it('leaves out entry ids that are the derived ones, and keeps any other', () => {
    const derived = { ...FULL, entries: FULL.entries.map((e, i) => ({ ...e, entry_id: entryIdOf(FULL.transaction_id, i) })) };
    expect(leanPosting(derived).entries.every((e) => !('entry_id' in e))).toBe(true);
    expect(leanPosting(FULL).entries.map((e) => e.entry_id)).toEqual(FULL.entries.map((e) => e.entry_id));
    const swapped = { ...derived, entries: [derived.entries[1], derived.entries[0]] };
    expect(leanPosting(swapped).entries.map((e) => e.entry_id)).toEqual([swapped.entries[0].entry_id, swapped.entries[1].entry_id]);
    expect(postingOf(leanPosting(derived))).toEqual(derived);
  });

  it('says a currency every entry shares once, at the top, and each entry its own when they differ', () => {
    const lean = leanPosting(FULL);
    expect(lean.currency).toBe('USD');
    expect(lean.entries.every((e) => !('currency' in e))).toBe(true);
    const mixed = leanPosting({ ...FULL, entries: [FULL.entries[0], { ...FULL.entries[1], currency: 'EUR' }] });
    expect(mixed).not.toHaveProperty('currency');
    expect(mixed.entries.map((e) => e.currency)).toEqual(['USD', 'EUR']);
  });

  it('leaves out only what postingOf gives back', () => {
    const cases: EntryPostedData[] = [
      FULL,
      { ...FULL, description: '', reference: 'r', metadata: { a: { b: 1 } }, effective_at: '2026-12-01T00:00:00.000Z', reverses: 't-0' },
      { ...FULL, entries: [FULL.entries[0], { ...FULL.entries[1], currency: 'EUR' }] },
    ];
    for (const full of cases) expect(postingOf(leanPosting(full))).toEqual(full);
  });
});

describe('entryCurrency', () => {
  it("is the entry's own, else the posting's", () => {
    expect(entryCurrency({ currency: 'USD' }, {})).toBe('USD');
    expect(entryCurrency({ currency: 'USD' }, { currency: 'EUR' })).toBe('EUR');
    expect(entryCurrency({}, { currency: 'EUR' })).toBe('EUR');
  });
});

describe('dataForConsumers', () => {
  it('shows a posting in the full form whichever form is stored, other events as stored', () => {
    expect(dataForConsumers('ledger.entry.posted', leanPosting(FULL))).toEqual(FULL);
    expect(dataForConsumers('ledger.entry.posted', FULL)).toEqual(FULL);
    const created = { account_id: 'a', metadata: {} };
    expect(dataForConsumers('account.created', created)).toBe(created);
  });
});

describe('a lean and a full-form posting of the same transaction', () => {
  const history = (form: (d: EntryPostedData) => StoredEntryPostedData): LedgerEvent[] => {
    const full = posted('tx-1', [
      { account_id: 'settlement', direction: 'debit', amount: '100', balance_after: figures({ debits_posted: '100', posted: '100', available: '100' }) },
      { account_id: 'alice', direction: 'credit', amount: '100', balance_after: figures({ credits_posted: '100', posted: '100', available: '100' }) },
    ]);
    if (full.type !== 'ledger.entry.posted') throw new Error('unreachable');
    return [accountCreated('settlement', { normal_balance: 'debit', allow_negative: true }), accountCreated('alice'), { type: 'ledger.entry.posted', data: form(postingOf(full.data)) }];
  };

  it('fold to the same state', () => {
    const lean = fold(history(leanPosting));
    const full = fold(history((d) => d));
    expect(serializeState(lean)).toEqual(serializeState(full));
    expect(lean.accounts.get('alice')!.credits_posted).toBe(100n);
  });
});
