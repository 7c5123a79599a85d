/**
 * Property-based tests (fast-check) of decide/evolve over random command sequences: postings,
 * holds (place, capture, release, expire), reversals, routes, intents (create, settle, cancel,
 * expire), policies, account freezes, idempotent retries and key reuse, and time moving on.
 * After every command the ledger's invariants must hold; at the end, folding the decided events
 * from scratch must give the live state. fast-check shrinks a failing sequence to a small one and
 * prints its seed and path, so a failure reproduces with `fc.assert(..., { seed, path })`.
 */
import fc from 'fast-check';
import { Account, availableBalance, countersOf, postedBalance } from './account.js';
import { LedgerCommand } from './commands.js';
import { canonicalJson } from './canonical-json.js';
import { isDomainError } from './errors.js';
import { BalanceAfter, LedgerEvent } from './events.js';
import { idempotencyAnswer } from './idempotency.js';
import { INTENT_MONEY_MODEL } from './intents.js';
import { decideControlled } from './policy-evaluation.js';
import { LedgerState, initialState, evolve } from './state.js';
import { RecordedEvent, serializeState } from './testing/given-when-then.js';
import { EUR, USD, changeStatus, credit, debit, openAccount, placeHold, postTransaction } from './testing/ledger-fixtures.js';
import { amountLimit, createPolicy, disablePolicy, velocityLimit } from './testing/policy-fixtures.js';

/** Runs per property: each a random sequence of up to STEPS_PER_RUN_MAX commands. */
const RUNS = 200;
const STEPS_PER_RUN_MAX = 60;
const AMOUNT_MINOR_MAX = 400;
const TICK_SECONDS_MAX = 3_600;
const EXPIRY_SECONDS_MAX = 7_200;
const START_MILLIS = Date.parse('2030-01-02T00:00:00.000Z');

/**
 * The tenant every run starts from, opened through decide itself: index 0 and 5 may go negative
 * (treasuries), the rest may not; index 4 is debit-normal, so a pending credit lowers its available.
 */
const ACCOUNTS = [
  openAccount({ customer: 'treasury', allow_negative: true, account_type: 'operating' }),
  openAccount({ customer: 'alice' }),
  openAccount({ customer: 'bob' }),
  openAccount({ customer: 'clearing', account_type: 'settlement' }),
  openAccount({ customer: 'asset', normal_balance: 'debit', account_type: 'asset' }),
  openAccount({ customer: 'eur-treasury', currency: EUR, allow_negative: true, account_type: 'operating' }),
  openAccount({ customer: 'eur-alice', currency: EUR }),
] as const;
const CORRIDORS = ['us-ach', 'sepa'] as const;

/** A step names accounts, holds, transactions and intents by index; the runner resolves them against what exists. */
type Step =
  | { kind: 'post'; from: number; to: number; amount: bigint; also: { from: number; to: number; amount: bigint } | null }
  | { kind: 'hold'; from: number; to: number; amount: bigint; expires_in_s: number | null }
  | { kind: 'capture'; hold: number; amount: bigint | null }
  | { kind: 'release'; hold: number }
  | { kind: 'expire'; hold: number }
  | { kind: 'reverse'; transaction: number }
  | { kind: 'route'; settlement: number; corridor: number; currency: number }
  | { kind: 'route_status'; route: number; enable: boolean }
  | { kind: 'intent'; from: number; to: number; amount: bigint; corridor: number; expires_in_s: number | null }
  | { kind: 'settle'; intent: number }
  | { kind: 'cancel'; intent: number }
  | { kind: 'policy'; max_amount: bigint; velocity: boolean }
  | { kind: 'disable_policy'; policy: number }
  | { kind: 'status'; account: number; action: 'freeze' | 'unfreeze' }
  | { kind: 'tick'; seconds: number }
  | { kind: 'retry'; step: number }
  | { kind: 'reuse_key'; step: number };

const index = fc.nat({ max: 1_000 });
const account = fc.nat({ max: ACCOUNTS.length - 1 });
const amount = fc.bigInt({ min: 1n, max: BigInt(AMOUNT_MINOR_MAX) });
const expiry = fc.option(fc.integer({ min: 1, max: EXPIRY_SECONDS_MAX }), { freq: 2 });

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('post' as const), from: account, to: account, amount, also: fc.option(fc.record({ from: account, to: account, amount }), { freq: 4 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('hold' as const), from: account, to: account, amount, expires_in_s: expiry }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('capture' as const), hold: index, amount: fc.option(amount) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), hold: index }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('expire' as const), hold: index }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('reverse' as const), transaction: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('route' as const), settlement: account, corridor: fc.nat({ max: 1 }), currency: fc.nat({ max: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('route_status' as const), route: index, enable: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('intent' as const), from: account, to: account, amount, corridor: fc.nat({ max: 1 }), expires_in_s: expiry }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('settle' as const), intent: index }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), intent: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('policy' as const), max_amount: amount, velocity: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('disable_policy' as const), policy: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('status' as const), account, action: fc.constantFrom('freeze' as const, 'unfreeze' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 1, max: TICK_SECONDS_MAX }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('retry' as const), step: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reuse_key' as const), step: index }) },
);
const steps = fc.array(step, { minLength: 1, maxLength: STEPS_PER_RUN_MAX });

/**
 * One sequence through every path the coverage check below names, run first by each property
 * (fast-check's `examples`): random sequences reach a settled intent only now and then (it needs
 * an open, routed intent and its funds at the right moment), and a run where none did would
 * leave settlement unchecked and fail the coverage check by chance.
 */
const TOUR: Step[] = [
  { kind: 'post', from: 0, to: 1, amount: 300n, also: null },
  { kind: 'reverse', transaction: 0 },
  { kind: 'post', from: 0, to: 1, amount: 300n, also: null },
  { kind: 'hold', from: 1, to: 2, amount: 50n, expires_in_s: null },
  { kind: 'release', hold: 0 },
  { kind: 'intent', from: 1, to: 2, amount: 40n, corridor: 0, expires_in_s: null },
  { kind: 'settle', intent: 0 },
  { kind: 'intent', from: 1, to: 2, amount: 30n, corridor: 0, expires_in_s: null },
  { kind: 'cancel', intent: 1 },
  { kind: 'intent', from: 2, to: 1, amount: 400n, corridor: 0, expires_in_s: null },
  { kind: 'post', from: 2, to: 1, amount: 400n, also: null },
  { kind: 'policy', max_amount: 100n, velocity: false },
  { kind: 'retry', step: 0 },
  { kind: 'reuse_key', step: 0 },
];

/** One decided command as the log keeps it: its key and hash travel in its events' metadata. */
interface Keyed {
  key: string;
  hash: string;
  command: LedgerCommand;
}

/** Some things violate no invariant but are still worth seeing in the spec's coverage counters. */
type Tally = Map<string, number>;

/**
 * Runs a sequence against a fresh tenant, deciding each command under its policies as the
 * writer does (idempotency first, then decideControlled, then fold), and calls `check` after
 * every command with what changed.
 */
class Run {
  readonly state: LedgerState = initialState();
  readonly log: RecordedEvent[] = [];
  readonly accountIds: string[] = [];
  readonly holdIds: string[] = [];
  readonly transactionIds: string[] = [];
  readonly intentIds: string[] = [];
  readonly routeIds: string[] = [];
  readonly policyIds: string[] = [];
  readonly keyed: Keyed[] = [];
  readonly tally: Tally = new Map();
  private millis = START_MILLIS;
  private ids = 0;

  /** The serialized live state after each command, with the log length it had: what a replay of that prefix must give. */
  readonly checkpoints: { length: number; state: string }[] = [];

  constructor(private readonly onDecided: (run: Run, events: LedgerEvent[], before: Snapshot) => void) {
    for (const command of ACCOUNTS) this.submit(command);
    // One route from the start, so intents get routed without waiting for a random one.
    this.submit({ type: 'create_route', name: 'route-0', currency: USD, corridor: CORRIDORS[0], settlement_account_id: this.accountIds[3], priority: 100 });
  }

  now(): string {
    return new Date(this.millis).toISOString();
  }

  /** Decides one command with a fresh key; returns the events, or null for a refusal. */
  submit(command: LedgerCommand, key = `key-${this.keyed.length + 1}`, hash = requestHash(command)): LedgerEvent[] | null {
    const answer = idempotencyAnswer(this.state, key, hash);
    if (isDomainError(answer)) {
      this.count(`refused:${answer.code}`);
      return null;
    }
    if (answer.kind === 'replay') {
      this.count('replayed');
      return this.log.slice(Number(answer.original.first_revision), Number(answer.original.first_revision) + answer.original.event_count).map((r) => r.event);
    }
    const ctx = { now: this.now(), newId: () => `id-${++this.ids}` };
    const before = serializeState(this.state);
    const decision = decideControlled(this.state, command, ctx);
    if (isDomainError(decision)) {
      // A refusal changes nothing: not the state, not the log.
      expect(serializeState(this.state)).toBe(before);
      this.count(`refused:${decision.code}`);
      return null;
    }
    // An empty decision (asking for the status an account already has) records nothing, not even its key.
    if (decision.events.length > 0) this.keyed.push({ key, hash, command });
    const beforeState = snapshot(this.state);
    for (const event of decision.events) {
      const recorded: RecordedEvent = { event, meta: { idempotency_key: key, request_hash: hash, occurred_at: ctx.now } };
      evolve(this.state, event, this.state.revision + 1n, recorded.meta);
      this.log.push(recorded);
      this.remember(event);
      this.count(event.type);
    }
    this.onDecided(this, decision.events, beforeState);
    this.checkpoints.push({ length: this.log.length, state: serializeState(this.state) });
    return decision.events;
  }

  step(s: Step): void {
    const command = this.commandFor(s);
    if (command === 'skip') return;
    if (command === null) return;
    this.submit(command);
  }

  private commandFor(s: Step): LedgerCommand | null | 'skip' {
    const acc = (i: number) => this.accountIds[i];
    const pick = (ids: string[], i: number) => (ids.length === 0 ? `missing-${i}` : ids[i % ids.length]);
    const at = (seconds: number | null) => (seconds === null ? null : new Date(this.millis + seconds * 1_000).toISOString());
    switch (s.kind) {
      case 'post': {
        const entries = [debit(acc(s.from), s.amount), credit(acc(s.to), s.amount)];
        if (s.also) entries.push(debit(acc(s.also.from), s.also.amount), credit(acc(s.also.to), s.also.amount));
        return postTransaction(entries);
      }
      case 'hold':
        return placeHold(acc(s.from), acc(s.to), s.amount, { expires_at: at(s.expires_in_s) });
      case 'capture':
        return { type: 'capture_hold', hold_id: pick(this.holdIds, s.hold), amount: s.amount };
      case 'release':
        return { type: 'release_hold', hold_id: pick(this.holdIds, s.hold), note: null };
      case 'expire':
        return { type: 'expire_hold', hold_id: pick(this.holdIds, s.hold) };
      case 'reverse':
        return { type: 'reverse_transaction', transaction_id: pick(this.transactionIds, s.transaction), reason: null };
      case 'route':
        return { type: 'create_route', name: `route-${this.routeIds.length + 1}`, currency: [USD, EUR][s.currency], corridor: CORRIDORS[s.corridor], settlement_account_id: acc(s.settlement), priority: 100 };
      case 'route_status':
        return { type: 'change_route_status', route_id: pick(this.routeIds, s.route), action: s.enable ? 'enable' : 'disable' };
      case 'intent':
        return {
          type: 'create_intent',
          intent_id: `intent-${this.keyed.length + 1}`,
          scope: 'workspace_scope',
          money_model: INTENT_MONEY_MODEL,
          primitives: ['policy', 'ledger', 'events'],
          amount: s.amount,
          currency: this.state.accounts.get(acc(s.from))!.currency,
          source_account_id: acc(s.from),
          destination_account_id: acc(s.to),
          corridor: CORRIDORS[s.corridor],
          expires_at: at(s.expires_in_s),
          metadata: {},
        };
      case 'settle':
        return { type: 'settle_intent', intent_id: pick(this.intentIds, s.intent) };
      case 'cancel':
        return { type: 'cancel_intent', intent_id: pick(this.intentIds, s.intent), note: null };
      case 'policy':
        return createPolicy(s.velocity ? velocityLimit(USD, s.max_amount * 3n, 3_600) : amountLimit(USD, s.max_amount));
      case 'disable_policy':
        return disablePolicy(pick(this.policyIds, s.policy));
      case 'status':
        return changeStatus(acc(s.account), s.action);
      case 'tick':
        this.millis += s.seconds * 1_000;
        return 'skip';
      case 'retry':
      case 'reuse_key': {
        if (this.keyed.length === 0) return 'skip';
        const original = this.keyed[s.step % this.keyed.length];
        const lengthBefore = this.log.length;
        const stateBefore = serializeState(this.state);
        const firstRevision = this.state.idempotency.get(original.key)!.first_revision;
        const count = this.state.idempotency.get(original.key)!.event_count;
        if (s.kind === 'retry') {
          // Same key, same request: the first answer again, nothing decided or appended.
          const answered = this.submit(original.command, original.key, original.hash);
          expect(answered).toEqual(this.log.slice(Number(firstRevision), Number(firstRevision) + count).map((r) => r.event));
        } else {
          // Same key, another request: refused, nothing appended.
          expect(this.submit({ type: 'tick-reuse' } as unknown as LedgerCommand, original.key, `${original.hash}-other`)).toBeNull();
        }
        expect(this.log.length).toBe(lengthBefore);
        expect(serializeState(this.state)).toBe(stateBefore);
        return 'skip';
      }
      default: {
        const _exhaustive: never = s;
        throw new Error(`unknown step ${JSON.stringify(_exhaustive)}`);
      }
    }
  }

  private remember(event: LedgerEvent): void {
    if (event.type === 'account.created') this.accountIds.push(event.data.account_id);
    else if (event.type === 'balance.hold.created') this.holdIds.push(event.data.hold_id);
    else if (event.type === 'ledger.entry.posted') this.transactionIds.push(event.data.transaction_id);
    else if (event.type === 'intent.accepted') this.intentIds.push(event.data.intent_id);
    else if (event.type === 'route.created') this.routeIds.push(event.data.route_id);
    else if (event.type === 'policy.created') this.policyIds.push(event.data.policy_id);
  }

  private count(what: string): void {
    this.tally.set(what, (this.tally.get(what) ?? 0) + 1);
  }
}

function requestHash(command: LedgerCommand): string {
  return canonicalJson(JSON.parse(JSON.stringify(command, (_k, v) => (typeof v === 'bigint' ? `${v}` : v))));
}

/** What the checks need of the state before a command: accounts and transactions, copied. */
interface Snapshot {
  accounts: Map<string, Account>;
  reversedBy: Map<string, string | null>;
  transactions: LedgerState['transactions'];
}

function snapshot(state: LedgerState): Snapshot {
  const accounts = new Map<string, Account>();
  const reversedBy = new Map<string, string | null>();
  for (const [id, account] of state.accounts as Map<string, Account>) accounts.set(id, account);
  for (const [id, tx] of state.transactions as Map<string, { reversed_by: string | null }>) reversedBy.set(id, tx.reversed_by);
  return { accounts, reversedBy, transactions: state.transactions };
}

// --- The invariants ------------------------------------------------------------------------

/** Every currency's posted debits equal its posted credits, and so do its pending ones. */
function expectConservation(state: LedgerState): void {
  const net = new Map<string, { posted: bigint; pending: bigint }>();
  for (const account of (state.accounts as Map<string, Account>).values()) {
    const sum = net.get(account.currency) ?? { posted: 0n, pending: 0n };
    net.set(account.currency, {
      posted: sum.posted + account.debits_posted - account.credits_posted,
      pending: sum.pending + account.debits_pending - account.credits_pending,
    });
  }
  for (const [currency, sum] of net) expect({ currency, ...sum }).toEqual({ currency, posted: 0n, pending: 0n });
}

/** Every balance_after a decision recorded, for a non-negative account, is not below zero. */
function expectNoOverdraft(state: LedgerState, events: LedgerEvent[]): void {
  const afters: [string, BalanceAfter][] = [];
  for (const event of events) {
    if (event.type === 'ledger.entry.posted') for (const entry of event.data.entries) afters.push([entry.account_id, entry.balance_after]);
    if (event.type === 'balance.hold.created' || event.type === 'balance.released') {
      afters.push([event.data.account_id, event.data.source_balance_after], [event.data.destination_account_id, event.data.destination_balance_after]);
    }
  }
  for (const [accountId, after] of afters) {
    if (state.accounts.get(accountId)!.allow_negative) continue;
    expect({ accountId, available: BigInt(after.available) >= 0n, posted: BigInt(after.posted) >= 0n }).toEqual({ accountId, available: true, posted: true });
  }
  for (const account of (state.accounts as Map<string, Account>).values()) {
    if (!account.allow_negative) expect(availableBalance(account.normal_balance, countersOf(account)) >= 0n).toBe(true);
  }
}

/** Per account: pending debits are the open holds it is the source of, pending credits those it receives. */
function expectHoldsAccounting(state: LedgerState, holdIds: string[]): void {
  const open = new Map<string, { debits: bigint; credits: bigint }>();
  for (const id of holdIds) {
    const hold = state.holds.get(id)!;
    if (hold.status !== 'pending') continue;
    const source = open.get(hold.account_id) ?? { debits: 0n, credits: 0n };
    open.set(hold.account_id, { ...source, debits: source.debits + hold.amount });
    const destination = open.get(hold.destination_account_id) ?? { debits: 0n, credits: 0n };
    open.set(hold.destination_account_id, { ...destination, credits: destination.credits + hold.amount });
  }
  for (const account of (state.accounts as Map<string, Account>).values()) {
    const held = open.get(account.id) ?? { debits: 0n, credits: 0n };
    expect({ id: account.id, debits_pending: account.debits_pending, credits_pending: account.credits_pending }).toEqual({
      id: account.id,
      debits_pending: held.debits,
      credits_pending: held.credits,
    });
  }
}

/** A reversal posts the original's entries backwards with directions flipped, and marks the original once. */
function expectReversalSymmetry(state: LedgerState, events: LedgerEvent[], before: Snapshot): void {
  for (const event of events) {
    if (event.type !== 'ledger.entry.posted' || event.data.reverses === undefined) continue;
    const originalId = event.data.reverses;
    expect(before.reversedBy.get(originalId)).toBeNull();
    const original = state.transactions.get(originalId)!;
    expect(original.reversed_by).toBe(event.data.transaction_id);
    const undone = [...original.entries].reverse().map((e) => ({ account_id: e.account_id, direction: e.direction === 'debit' ? 'credit' : 'debit', amount: e.amount }));
    expect(event.data.entries.map((e) => ({ account_id: e.account_id, direction: e.direction, amount: BigInt(e.amount) }))).toEqual(undone);
    expect(events.some((e) => e.type === 'ledger.entry.reversed' && e.data.transaction_id === originalId && e.data.reversed_by === event.data.transaction_id)).toBe(true);
  }
}

/** The last balance_after recorded for an account is what the live state holds for it. */
function expectBalancesAfterMatchState(state: LedgerState, events: LedgerEvent[]): void {
  const last = new Map<string, BalanceAfter>();
  for (const event of events) {
    if (event.type === 'ledger.entry.posted') for (const entry of event.data.entries) last.set(entry.account_id, entry.balance_after);
    if (event.type === 'balance.hold.created' || event.type === 'balance.released') {
      last.set(event.data.account_id, event.data.source_balance_after).set(event.data.destination_account_id, event.data.destination_balance_after);
    }
  }
  for (const [accountId, after] of last) {
    const account = state.accounts.get(accountId)!;
    expect({ accountId, posted: postedBalance(account.normal_balance, countersOf(account)).toString(), available: availableBalance(account.normal_balance, countersOf(account)).toString() }).toEqual({
      accountId,
      posted: after.posted,
      available: after.available,
    });
  }
}

function replay(log: readonly RecordedEvent[]): LedgerState {
  const state = initialState();
  log.forEach((recorded, revision) => evolve(state, recorded.event, BigInt(revision), recorded.meta));
  return state;
}

function checkEveryStep(run: Run, events: LedgerEvent[], before: Snapshot): void {
  expectConservation(run.state);
  expectNoOverdraft(run.state, events);
  expectHoldsAccounting(run.state, run.holdIds);
  expectReversalSymmetry(run.state, events, before);
  expectBalancesAfterMatchState(run.state, events);
}

describe('the decider under random command sequences (fast-check)', () => {
  const seen: Tally = new Map();
  const runSequence = (sequence: Step[]): Run => {
    const run = new Run(checkEveryStep);
    for (const s of sequence) run.step(s);
    for (const [what, n] of run.tally) seen.set(what, (seen.get(what) ?? 0) + n);
    return run;
  };

  it('keeps conservation, no overdraft, holds accounting, reversal symmetry and idempotency after every command', () => {
    fc.assert(fc.property(steps, (sequence) => void runSequence(sequence)), { numRuns: RUNS, examples: [[TOUR]] });
  });

  it('replays: folding the decided events from scratch gives the live state, at every prefix of the log', () => {
    fc.assert(
      fc.property(steps, fc.nat(), (sequence, cut) => {
        const run = runSequence(sequence);
        expect(serializeState(replay(run.log))).toBe(serializeState(run.state));
        // A writer that restarts mid-log rebuilds from a prefix: it too must equal what was live at that point.
        const checkpoint = run.checkpoints[cut % run.checkpoints.length];
        expect(serializeState(replay(run.log.slice(0, checkpoint.length)))).toBe(checkpoint.state);
      }),
      { numRuns: RUNS, examples: [[TOUR, 3]] },
    );
  });

  it('replays identically: the same sequence decided twice gives the same log, event for event', () => {
    fc.assert(
      fc.property(steps, (sequence) => {
        expect(runSequence(sequence).log).toEqual(runSequence(sequence).log);
      }),
      { numRuns: RUNS / 4, examples: [[TOUR]] },
    );
  });

  it('reaches every interesting path (else the properties above prove little)', () => {
    for (const reached of ['ledger.entry.posted', 'ledger.entry.reversed', 'balance.hold.created', 'balance.released', 'intent.accepted', 'intent.routed', 'intent.settled', 'intent.canceled', 'intent.refused', 'policy.created', 'replayed', 'refused:idempotency_key_reused', 'refused:insufficient_funds']) {
      expect({ reached, seen: (seen.get(reached) ?? 0) > 0 }).toEqual({ reached, seen: true });
    }
  });
});
