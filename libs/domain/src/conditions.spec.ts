// lock_version: +1 per event that changes an account's balances, and the condition a posting's
// entry may put on it (expected_lock_version), refused as lock_version_mismatch with nothing decided.
import { LedgerEvent } from './events.js';
import { fold, given } from './testing/given-when-then.js';
import { accountCreated, credit, debit, figures, holdCreated, posted, postTransaction, statusChanged } from './testing/ledger-fixtures.js';

const opened: LedgerEvent[] = [accountCreated('ops', { allow_negative: true, account_type: 'operating' }), accountCreated('alice'), accountCreated('bob')];
const funded = posted('tx-1', [
  { account_id: 'ops', direction: 'debit', amount: '100', balance_after: figures({ debits_posted: '100', posted: '-100', available: '-100' }) },
  { account_id: 'alice', direction: 'credit', amount: '100', balance_after: figures({ credits_posted: '100', posted: '100', available: '100' }) },
]);

const lockVersion = (events: LedgerEvent[], id: string) => fold(events).accounts.get(id)!.lock_version;

describe('lock_version', () => {
  it('starts at 0 and moves once per event that changes the balances, whatever the number of entries', () => {
    expect(lockVersion(opened, 'alice')).toBe(0);
    expect(lockVersion([...opened, funded], 'alice')).toBe(1);
    const twoEntriesOneAccount = posted('tx-2', [
      { account_id: 'alice', direction: 'debit', amount: '10', balance_after: figures({ credits_posted: '100', debits_posted: '10', posted: '90', available: '90' }) },
      { account_id: 'alice', direction: 'credit', amount: '10', balance_after: figures({ credits_posted: '110', debits_posted: '10', posted: '100', available: '100' }) },
    ]);
    expect(lockVersion([...opened, funded, twoEntriesOneAccount], 'alice')).toBe(2);
    const held = holdCreated('h-1', { account_id: 'alice', destination_account_id: 'bob', amount: '5', source_balance_after: figures({ credits_posted: '100', debits_pending: '5', posted: '100', available: '95' }), destination_balance_after: figures({ credits_pending: '5' }) });
    expect(lockVersion([...opened, funded, held], 'alice')).toBe(2);
    expect(lockVersion([...opened, funded, held], 'bob')).toBe(1);
  });

  it('does not move on a status change (balances unchanged)', () => {
    expect(lockVersion([...opened, funded, statusChanged('alice', 'active', 'frozen')], 'alice')).toBe(1);
  });

  it('given expected_lock_version equal to the account\'s, the posting is decided; another is refused naming both', () => {
    const scenario = given(...opened, funded);
    const ok = scenario.when(postTransaction([{ ...debit('alice', 10n), expected_lock_version: 1 }, credit('bob', 10n)]));
    expect(ok.events()).toHaveLength(1);
    const refused = scenario.when(postTransaction([debit('alice', 10n), { ...credit('bob', 10n), expected_lock_version: 3 }]));
    expect(refused.error()).toMatchObject({ code: 'lock_version_mismatch', details: { account_id: 'bob', entry_index: 1, expected: 3, actual: 0 } });
  });
});

describe('effective_at', () => {
  const NOW = '2030-01-02T03:04:05.000Z';
  const scenario = () => given(...opened, funded);
  it('is kept on the posting when given, and absent when not (the posting time is its effective time)', () => {
    const at = '2030-01-01T12:00:00.000Z';
    const events = scenario().when(postTransaction([debit('alice', 10n), credit('bob', 10n)], { effective_at: at })).events();
    expect(events[0].data).toMatchObject({ effective_at: at, posted_at: NOW });
    const plain = scenario().when(postTransaction([debit('alice', 10n), credit('bob', 10n)])).events();
    expect('effective_at' in plain[0].data).toBe(false);
  });

  it('refuses a time in the future or before an account was opened; the funds rule still decides on balances as they stand', () => {
    expect(scenario().when(postTransaction([debit('alice', 10n), credit('bob', 10n)], { effective_at: '2030-01-02T03:04:05.001Z' })).error()).toMatchObject({
      code: 'invalid_effective_at',
      details: { fields: { effective_at: ['must not be in the future'] } },
    });
    expect(scenario().when(postTransaction([debit('alice', 10n), credit('bob', 10n)], { effective_at: '2029-12-31T23:59:59.999Z' })).error()).toMatchObject({ code: 'invalid_effective_at', details: { account_id: 'alice' } });
    expect(scenario().when(postTransaction([debit('alice', 101n), credit('bob', 101n)], { effective_at: '2030-01-01T12:00:00.000Z' })).error().code).toBe('insufficient_funds');
  });
});
