// Decider specs for the account lifecycle: open_account and change_account_status.
import { LedgerCommand } from './commands.js';
import { decide } from './decide.js';
import { isDomainError } from './errors.js';
import { initialState } from './state.js';
import { NOW, fold, given, testContext } from './testing/given-when-then.js';
import { EUR, accountCreated, changeStatus, figures, openAccount, posted, statusChanged } from './testing/ledger-fixtures.js';

/** 100 credited to alice (credit-normal) from the settlement account (debit-normal). */
const aliceDeposited100 = posted('tx-deposit', [
  { account_id: 'settlement', direction: 'debit', amount: '100', balance_after: figures({ debits_posted: '100', posted: '100', available: '100' }) },
  { account_id: 'alice', direction: 'credit', amount: '100', balance_after: figures({ credits_posted: '100', posted: '100', available: '100' }) },
]);
const settlementCreated = accountCreated('settlement', { normal_balance: 'debit', account_type: 'settlement' });

describe('open_account', () => {
  it('yields account.created with the id and time from the context', () => {
    const outcome = given().when(
      openAccount({
        customer: 'cust-7',
        currency: 'USDC',
        account_type: 'merchant',
        normal_balance: 'debit',
        allow_negative: true,
        metadata: { region: 'eu', tier: 2 },
      }),
      testContext('2031-05-06T07:08:09.000Z', 'acc'),
    );

    expect(outcome.events()).toEqual([
      {
        type: 'account.created',
        data: {
          account_id: 'acc-1',
          customer: 'cust-7',
          currency: 'USDC',
          account_type: 'merchant',
          normal_balance: 'debit',
          allow_negative: true,
          metadata: { region: 'eu', tier: 2 },
          created_at: '2031-05-06T07:08:09.000Z',
        },
      },
    ]);
    expect(outcome.ctx.issued).toEqual(['acc-1']);
  });

  it('opens an active account with zero counters', () => {
    const outcome = given().when(openAccount({ currency: EUR }));

    expect(outcome.stateAfter().accounts.get('id-1')).toEqual({
      id: 'id-1',
      customer: 'customer-42',
      currency: 'EUR',
      account_type: 'customer',
      normal_balance: 'credit',
      allow_negative: false,
      status: 'active',
      metadata: {},
      created_at: NOW,
      debits_posted: 0n,
      credits_posted: 0n,
      debits_pending: 0n,
      credits_pending: 0n,
      lock_version: 0,
      path: null,
    });
  });

  it('opens another account for the same customer and currency under a new id', () => {
    const outcome = given(accountCreated('id-1', { customer: 'customer-42' })).when(openAccount(), testContext(NOW, 'second'));

    expect(outcome.events()).toEqual([expect.objectContaining({ type: 'account.created', data: expect.objectContaining({ account_id: 'second-1' }) })]);
  });
});

describe('change_account_status', () => {
  describe('transitions', () => {
    it('freezes an active account, recording its balances', () => {
      const outcome = given(settlementCreated, accountCreated('alice'), aliceDeposited100).when(changeStatus('alice', 'freeze'));

      expect(outcome.events()).toEqual([
        {
          type: 'account.status_changed',
          data: {
            account_id: 'alice',
            from: 'active',
            to: 'frozen',
            changed_at: NOW,
            balances: figures({ credits_posted: '100', posted: '100', available: '100' }),
          },
        },
      ]);
      expect(outcome.stateAfter().accounts.get('alice')?.status).toBe('frozen');
    });

    it('unfreezes a frozen account', () => {
      const outcome = given(accountCreated('alice'), statusChanged('alice', 'active', 'frozen')).when(changeStatus('alice', 'unfreeze'));

      expect(outcome.events()).toEqual([
        { type: 'account.status_changed', data: { account_id: 'alice', from: 'frozen', to: 'active', changed_at: NOW, balances: figures() } },
      ]);
      expect(outcome.stateAfter().accounts.get('alice')?.status).toBe('active');
    });

    it('closes an empty active account', () => {
      const outcome = given(accountCreated('alice')).when(changeStatus('alice', 'close'));

      expect(outcome.events()).toEqual([
        { type: 'account.status_changed', data: { account_id: 'alice', from: 'active', to: 'closed', changed_at: NOW, balances: figures() } },
      ]);
      expect(outcome.stateAfter().accounts.get('alice')?.status).toBe('closed');
    });

    it('closes an empty frozen account', () => {
      const outcome = given(accountCreated('alice'), statusChanged('alice', 'active', 'frozen')).when(changeStatus('alice', 'close'));

      expect(outcome.events()).toEqual([
        { type: 'account.status_changed', data: { account_id: 'alice', from: 'frozen', to: 'closed', changed_at: NOW, balances: figures() } },
      ]);
    });

    it('closes an account whose counters are non-zero but whose posted balance is zero', () => {
      const movedInAndOut = posted('tx-out', [
        { account_id: 'alice', direction: 'debit', amount: '100', balance_after: figures({ debits_posted: '100', credits_posted: '100' }) },
        { account_id: 'settlement', direction: 'credit', amount: '100', balance_after: figures({ debits_posted: '100', credits_posted: '100' }) },
      ]);
      const outcome = given(settlementCreated, accountCreated('alice'), aliceDeposited100, movedInAndOut).when(changeStatus('alice', 'close'));

      expect(outcome.events()).toEqual([
        {
          type: 'account.status_changed',
          data: {
            account_id: 'alice',
            from: 'active',
            to: 'closed',
            changed_at: NOW,
            balances: figures({ debits_posted: '100', credits_posted: '100', posted: '0', available: '0' }),
          },
        },
      ]);
    });

    it('takes no id from the context', () => {
      const outcome = given(accountCreated('alice')).when(changeStatus('alice', 'freeze'));
      expect(outcome.ctx.issued).toEqual([]);
    });
  });

  describe('asking for the status the account already has changes nothing', () => {
    it.each([
      ['freeze', 'a frozen', [statusChanged('alice', 'active', 'frozen')]],
      ['unfreeze', 'an active', []],
      ['close', 'a closed', [statusChanged('alice', 'active', 'closed')]],
    ] as const)('%s on %s account -> no events', (action, _label, history) => {
      const outcome = given(accountCreated('alice'), ...history).when(changeStatus('alice', action));

      expect(outcome.decision).toEqual([]);
      expect(outcome.state).toEqual(outcome.stateBefore);
    });

    it('closing a closed account is a no-op even though balances are not checked again', () => {
      // The account was closed empty; asking again must not be refused with account_not_empty.
      const outcome = given(accountCreated('alice'), statusChanged('alice', 'active', 'closed')).when(changeStatus('alice', 'close'));
      expect(outcome.decision).toEqual([]);
    });
  });

  describe('refusals', () => {
    it.each(['freeze', 'unfreeze'] as const)('%s on a closed account -> account_not_active', (action) => {
      const outcome = given(accountCreated('alice'), statusChanged('alice', 'active', 'closed')).when(changeStatus('alice', action));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'account_not_active',
        message: `account alice is closed; cannot ${action}`,
        details: { account_id: 'alice', status: 'closed' },
      });
      expect(outcome.state).toEqual(outcome.stateBefore);
    });

    it('close with a posted balance -> account_not_empty, with the balances', () => {
      const outcome = given(settlementCreated, accountCreated('alice'), aliceDeposited100).when(changeStatus('alice', 'close'));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'account_not_empty',
        message: 'account alice has a balance or pending holds; it cannot be closed',
        details: { account_id: 'alice', balances: figures({ credits_posted: '100', posted: '100', available: '100' }) },
      });
      expect(outcome.state).toEqual(outcome.stateBefore);
    });

    it('close with a negative posted balance -> account_not_empty', () => {
      const overdrawn = posted('tx-overdraft', [
        { account_id: 'float', direction: 'debit', amount: '5', balance_after: figures({ debits_posted: '5', posted: '-5', available: '-5' }) },
        { account_id: 'alice', direction: 'credit', amount: '5', balance_after: figures({ credits_posted: '5', posted: '5', available: '5' }) },
      ]);
      const outcome = given(accountCreated('float', { allow_negative: true }), accountCreated('alice'), overdrawn).when(changeStatus('float', 'close'));

      expect(outcome.error()).toMatchObject({ code: 'account_not_empty', details: { account_id: 'float' } });
    });

    it('close a frozen account with a balance -> account_not_empty', () => {
      const outcome = given(settlementCreated, accountCreated('alice'), aliceDeposited100, statusChanged('alice', 'active', 'frozen')).when(
        changeStatus('alice', 'close'),
      );

      expect(outcome.error()).toMatchObject({ code: 'account_not_empty', details: { account_id: 'alice' } });
    });

    // Holds are not yet a command; a recorded entry's figures are how pending counters reach the state.
    it('close with an incoming hold (credits_pending) and a zero posted balance -> account_not_empty', () => {
      const holdIncoming = posted('tx-hold', [
        { account_id: 'bob', direction: 'credit', amount: '0', balance_after: figures({ credits_pending: '25' }) },
      ]);
      const outcome = given(accountCreated('bob'), holdIncoming).when(changeStatus('bob', 'close'));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'account_not_empty',
        message: 'account bob has a balance or pending holds; it cannot be closed',
        details: { account_id: 'bob', balances: figures({ credits_pending: '25' }) },
      });
    });

    it('close with an outgoing hold (debits_pending) and a zero posted balance -> account_not_empty', () => {
      const holdOutgoing = posted('tx-hold', [
        {
          account_id: 'alice',
          direction: 'debit',
          amount: '0',
          balance_after: figures({ debits_posted: '100', credits_posted: '100', debits_pending: '10', available: '-10' }),
        },
      ]);
      const outcome = given(accountCreated('alice'), holdOutgoing).when(changeStatus('alice', 'close'));

      expect(outcome.error()).toMatchObject({
        code: 'account_not_empty',
        details: { account_id: 'alice', balances: figures({ debits_posted: '100', credits_posted: '100', debits_pending: '10', available: '-10' }) },
      });
    });

    it.each(['freeze', 'unfreeze', 'close'] as const)('%s on an unknown account -> not_found', (action) => {
      const outcome = given(accountCreated('alice')).when(changeStatus('ghost', action));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'not_found',
        message: 'account ghost not found',
        details: { account_id: 'ghost' },
      });
    });
  });

  it('runs the whole lifecycle: open, freeze, unfreeze, freeze, close', () => {
    const ctx = testContext();
    const state = initialState();
    const statuses: string[] = [];
    const commands: LedgerCommand[] = [
      openAccount(),
      changeStatus('id-1', 'freeze'),
      changeStatus('id-1', 'unfreeze'),
      changeStatus('id-1', 'freeze'),
      changeStatus('id-1', 'close'),
    ];
    for (const command of commands) {
      const decision = decide(state, command, ctx);
      if (isDomainError(decision)) throw new Error(decision.message);
      fold(decision, state);
      statuses.push(state.accounts.get('id-1')!.status);
    }

    expect(statuses).toEqual(['active', 'frozen', 'active', 'frozen', 'closed']);
    expect(state.revision).toBe(4n);
  });
});

describe('decide', () => {
  it('throws on a command type it does not know (a programming error, not a refusal)', () => {
    expect(() => decide(initialState(), { type: 'transfer_everything' } as unknown as LedgerCommand, testContext())).toThrow(
      /unknown command/,
    );
  });
});
