/**
 * A seeded simulation: hundreds of random commands against the decider, checking after each one
 * the invariants a ledger must keep (TigerBeetle style: assert them where decided, and again here).
 * Deterministic: the same seed always runs the same commands.
 */
import { availableBalance } from './account.js';
import { EntryInput, LedgerCommand } from './commands.js';
import { decide } from './decide.js';
import { postingOf } from './stored-posting.js';
import { DomainErrorCode, isDomainError } from './errors.js';
import { LedgerEvent } from './events.js';
import { initialState } from './state.js';
import { fold, serializeState, testContext } from './testing/given-when-then.js';
import { EUR, USD, changeStatus, credit, debit, openAccount, postTransaction } from './testing/ledger-fixtures.js';

const SEED = 20300102;
const STEPS = 800;
const AMOUNT_MINOR_MAX = 250;

/** mulberry32: a tiny deterministic PRNG, good enough to pick commands. */
function randomFrom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('ledger invariants under random commands', () => {
  it(`hold for ${STEPS} seeded commands`, () => {
    const random = randomFrom(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const randomAmount = (): bigint => BigInt(1 + Math.floor(random() * AMOUNT_MINOR_MAX));

    const ctx = testContext();
    const state = initialState();
    const log: LedgerEvent[] = [];
    const refusals = new Map<DomainErrorCode, number>();
    let accepted = 0;

    const apply = (command: LedgerCommand): void => {
      const before = serializeState(state);
      const decision = decide(state, command, ctx);
      if (isDomainError(decision)) {
        refusals.set(decision.code, (refusals.get(decision.code) ?? 0) + 1);
        expect(serializeState(state)).toBe(before);
        return;
      }
      accepted += 1;
      checkDecidedEvents(decision);
      fold(decision, state);
      log.push(...decision);
      checkState();
    };

    const checkDecidedEvents = (events: LedgerEvent[]): void => {
      for (const event of events) {
        if (event.type !== 'ledger.entry.posted') continue;
        const netByCurrency = new Map<string, bigint>();
        for (const entry of postingOf(event.data).entries) {
          const account = state.accounts.get(entry.account_id)!;
          expect(account.status).toBe('active');
          expect(entry.currency).toBe(account.currency);
          expect(BigInt(entry.amount) > 0n).toBe(true);
          const signed = entry.direction === 'debit' ? BigInt(entry.amount) : -BigInt(entry.amount);
          netByCurrency.set(entry.currency, (netByCurrency.get(entry.currency) ?? 0n) + signed);
        }
        for (const net of netByCurrency.values()) expect(net).toBe(0n);
      }
    };

    const accountIds: string[] = [];
    const checkState = (): void => {
      const totals = new Map<string, { debits: bigint; credits: bigint }>();
      for (const id of accountIds) {
        const account = state.accounts.get(id)!;
        const total = totals.get(account.currency) ?? { debits: 0n, credits: 0n };
        totals.set(account.currency, { debits: total.debits + account.debits_posted, credits: total.credits + account.credits_posted });
        if (!account.allow_negative) expect(availableBalance(account.normal_balance, account) >= 0n).toBe(true);
      }
      // Double entry: in every currency, all debits ever posted equal all credits ever posted.
      for (const total of totals.values()) expect(total.debits).toBe(total.credits);
    };

    // Per currency: a settlement asset (debit-normal), three customers, and an overdraft float.
    const byCurrency = new Map<string, string[]>();
    for (const currency of [USD, EUR]) {
      const specs = [
        { normal_balance: 'debit', allow_negative: false, account_type: 'settlement' },
        { normal_balance: 'credit', allow_negative: false, account_type: 'customer' },
        { normal_balance: 'credit', allow_negative: false, account_type: 'customer' },
        { normal_balance: 'credit', allow_negative: false, account_type: 'customer' },
        { normal_balance: 'credit', allow_negative: true, account_type: 'operating' },
      ] as const;
      for (const spec of specs) {
        apply(openAccount({ currency, ...spec }));
        accountIds.push(ctx.issued[ctx.issued.length - 1]);
      }
      byCurrency.set(currency, accountIds.slice(-specs.length));
    }

    const balancedEntries = (currency: string): EntryInput[] => {
      const ids = byCurrency.get(currency)!;
      const debits = Array.from({ length: 1 + Math.floor(random() * 2) }, () => debit(pick(ids), randomAmount()));
      const total = debits.reduce((sum, entry) => sum + entry.amount, 0n);
      if (total < 2n || random() < 0.5) return [...debits, credit(pick(ids), total)];
      const first = 1n + (randomAmount() % (total - 1n));
      return [...debits, credit(pick(ids), first), credit(pick(ids), total - first)];
    };

    for (let step = 0; step < STEPS; step += 1) {
      const roll = random();
      if (roll < 0.6) {
        apply(postTransaction(balancedEntries(pick([USD, EUR]))));
      } else if (roll < 0.7) {
        apply(postTransaction([...balancedEntries(USD), ...balancedEntries(EUR)]));
      } else if (roll < 0.78) {
        const entries = balancedEntries(pick([USD, EUR]));
        entries[0] = { ...entries[0], amount: entries[0].amount + 1n };
        apply(postTransaction(entries));
      } else if (roll < 0.82) {
        apply(postTransaction([debit(pick(accountIds), 1n), credit('ghost', 1n)]));
      } else if (roll < 0.97) {
        apply(changeStatus(pick(accountIds), pick(['freeze', 'unfreeze', 'unfreeze'] as const)));
      } else {
        apply(changeStatus(pick(accountIds), 'close'));
      }
    }

    // The run must have exercised both sides of the rules to mean anything.
    expect(accepted).toBeGreaterThan(200);
    expect(refusals.get('insufficient_funds') ?? 0).toBeGreaterThan(10);
    expect(refusals.get('unbalanced_transaction') ?? 0).toBeGreaterThan(10);
    expect(refusals.get('account_not_active') ?? 0).toBeGreaterThan(10);
    expect(refusals.get('not_found') ?? 0).toBeGreaterThan(5);

    // Replaying the log from scratch yields the live state, byte for byte.
    expect(serializeState(fold(log))).toBe(serializeState(state));
  });
});
