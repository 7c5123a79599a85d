/**
 * A deterministic simulation of the write path: the real TenantWriter (domain + caching + group
 * commit + optimistic concurrency) of two simulated processes, both writing the same tenants
 * through FaultyEventStore views of one in-memory log (failed appends, timed-out appends that land
 * then, later or never, appends written whose answer is lost, slow reads), conflicts between the
 * two processes' writers, processes restarting with cold caches, and clients retrying with their
 * idempotency keys. A seeded PRNG draws every choice and a SimulatedClock is the writers' clock;
 * no real timer or I/O runs, so a seed always runs the same operations and faults. (Ids are the
 * write model's random UUIDs; nothing in a run is steered by their values.)
 *
 * After every step it checks, from the log: no acknowledged command lost or recorded twice, the
 * answer a client got is what the log holds, every currency sums to zero, no non-negative account
 * below zero in any balance_after, pending == open holds per account; and each writer's cached
 * state equals the replay of the log whenever it is at the log's head (accounts at every step,
 * the whole state every FULL_CHECK_EVERY_OPERATIONS and at the end).
 */
import { createHash } from 'node:crypto';
import { Account, BalanceAfter, LedgerCommand, LedgerEvent, LedgerState, availableBalance, canonicalJson, countersOf, evolve, initialState } from '#domain/index.js';
import { serializeState } from '#domain/testing/given-when-then.js';
import { RecordedEvent } from '#event-store/index.js';
import { FaultKind, FaultRates, FaultyEventStore, InMemoryEventStore, LateAppends, NO_FAULTS, SimulatedClock } from '#event-store/testing/faulty-event-store.js';
import { CommandEnvelope, CommandOutcome, TenantWriter, WriterClock, ledgerStream } from '#write-model/index.js';

/** One universe's operations at most: the in-memory log of a longer run is split into universes (memory). */
export const UNIVERSE_OPERATIONS_MAX = 10_000;
const TENANTS = 8;
const PROCESSES = 2;
/** Commands a step sends at once (they interleave across processes and writers). */
const STEP_COMMANDS_MAX = 8;
/** A client retries a command whose answer it did not get this many times, with the same key. */
const CLIENT_RETRIES_MAX = 6;
const AMOUNT_MINOR_MAX = 1_000;
const STEP_MS_MAX = 1_000;
const HOLD_EXPIRY_MS_MAX = 30_000;
/** Chance per step that one process restarts (its writers and their caches are gone). */
const RESTART_CHANCE = 0.01;
const FULL_CHECK_EVERY_OPERATIONS = 2_000;
const VIOLATIONS_MAX = 10;
const START_MILLIS = Date.parse('2030-06-01T00:00:00.000Z');

export const DEFAULT_FAULT_RATES: FaultRates = { append_fails: 0.03, append_times_out: 0.02, append_lost_answer: 0.03, read_slow: 0.05 };

export interface SimulationReport {
  seed: number;
  operations: number;
  acknowledged: number;
  rejected: number;
  /** Commands whose answer a client never got after all its retries (in the log or not; checked either way). */
  unanswered: number;
  replayed_answers: number;
  restarts: number;
  events: number;
  /** Events in the log by type (`capture`: postings that capture a hold), so a run shows what it exercised. */
  events_by_type: Record<string, number>;
  faults: Partial<Record<FaultKind, number>>;
  violations: string[];
}

/** mulberry32: small, fast, and the same numbers for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a tenant's auditor knows, folded incrementally from the log alone. */
interface Auditor {
  state: LedgerState;
  /** Revision of the last event of each idempotency key, to see a key recorded twice. */
  lastRevisionOfKey: Map<string, bigint>;
  /** Open holds' amounts per account, derived from hold events independently of evolve's counters. */
  pendingOut: Map<string, bigint>;
  pendingIn: Map<string, bigint>;
  holdAmounts: Map<string, { source: string; destination: string; amount: bigint }>;
  holdIds: string[];
  transactionIds: string[];
  accountIds: string[];
}

interface Acknowledged {
  tenant: string;
  key: string;
  events: { id: string; revision: bigint }[];
}

class Universe {
  readonly random: () => number;
  readonly clock = new SimulatedClock(START_MILLIS);
  readonly log = new InMemoryEventStore(this.clock);
  readonly late = new LateAppends();
  readonly stores: FaultyEventStore[];
  writers: TenantWriter[][];
  readonly auditors = new Map<string, Auditor>();
  readonly acknowledged: Acknowledged[] = [];
  readonly report: SimulationReport;
  private keys = 0;
  private fullCheckAt = 0;
  private readonly writerClock: WriterClock;

  constructor(
    seed: number,
    private readonly rates: FaultRates,
    /** Called after each step with the log (tests use it to break the log and see the checks catch it). */
    readonly afterStep: (log: InMemoryEventStore, operations: number) => void,
  ) {
    this.random = seededRandom(seed);
    this.writerClock = { nowMs: () => this.clock.nowMs(), refusal: () => null };
    this.stores = Array.from({ length: PROCESSES }, () => new FaultyEventStore(this.log, this.clock, this.random, NO_FAULTS, this.late));
    this.writers = this.stores.map((store) => this.tenants().map((tenant) => new TenantWriter(tenant, store, Infinity, this.writerClock)));
    this.report = { seed, operations: 0, acknowledged: 0, rejected: 0, unanswered: 0, replayed_answers: 0, restarts: 0, events: 0, events_by_type: {}, faults: {}, violations: [] };
    for (const tenant of this.tenants()) {
      this.auditors.set(tenant, { state: initialState(), lastRevisionOfKey: new Map(), pendingOut: new Map(), pendingIn: new Map(), holdAmounts: new Map(), holdIds: [], transactionIds: [], accountIds: [] });
    }
  }

  tenants(): string[] {
    return Array.from({ length: TENANTS }, (_, i) => `sim-tenant-${i}`);
  }

  async open(): Promise<void> {
    const accounts: LedgerCommand[] = [
      { type: 'open_account', customer: 'treasury', currency: 'USD', account_type: 'operating', normal_balance: 'credit', allow_negative: true, metadata: {} },
      ...['alice', 'bob', 'carol', 'dave'].map((customer): LedgerCommand => ({ type: 'open_account', customer, currency: 'USD', account_type: 'customer', normal_balance: 'credit', allow_negative: false, metadata: {} })),
      { type: 'open_account', customer: 'asset', currency: 'USD', account_type: 'asset', normal_balance: 'debit', allow_negative: false, metadata: {} },
    ];
    for (const tenant of this.tenants()) for (const command of accounts) await this.client(tenant, command);
    this.audit();
    for (const store of this.stores) store.rates = this.rates;
  }

  /** One step: a few commands at once, to random processes; then the clock moves and the checks run. */
  async step(): Promise<void> {
    if (this.random() < RESTART_CHANCE) {
      const process = Math.floor(this.random() * PROCESSES);
      this.writers[process] = this.tenants().map((tenant) => new TenantWriter(tenant, this.stores[process], Infinity, this.writerClock));
      this.report.restarts++;
    }
    const count = 1 + Math.floor(this.random() * STEP_COMMANDS_MAX);
    const sent: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const tenant = this.tenants()[Math.floor(this.random() * TENANTS)];
      sent.push(this.client(tenant, this.command(tenant)));
    }
    await Promise.all(sent);
    this.report.operations += count;
    this.clock.advance(Math.floor(this.random() * STEP_MS_MAX));
    this.afterStep(this.log, this.report.operations);
    this.audit();
  }

  /** A client: sends with a key, retries on no answer (to any process), keeps what it was told. */
  private async client(tenant: string, command: LedgerCommand): Promise<void> {
    const key = `key-${++this.keys}`;
    const envelope: CommandEnvelope = {
      tenant_id: tenant,
      command,
      idempotency_key: key,
      request_hash: requestHash(command),
      metadata: { actor: 'simulation', role: 'admin', request_id: `request-${this.keys}`, intent_id: null, policy: [] },
    };
    for (let attempt = 0; attempt <= CLIENT_RETRIES_MAX; attempt++) {
      const process = Math.floor(this.random() * PROCESSES);
      let outcome: CommandOutcome;
      try {
        outcome = await this.writers[process][this.tenants().indexOf(tenant)].submit(envelope);
      } catch {
        continue;
      }
      if (outcome.kind === 'rejected') {
        this.report.rejected++;
        return;
      }
      if (outcome.replayed) this.report.replayed_answers++;
      this.report.acknowledged++;
      this.acknowledged.push({ tenant, key, events: outcome.events.map((e) => ({ id: e.id, revision: e.revision })) });
      return;
    }
    this.report.unanswered++;
  }

  private command(tenant: string): LedgerCommand {
    const auditor = this.auditors.get(tenant)!;
    const pick = <T>(items: T[]): T => items[Math.floor(this.random() * items.length)];
    const account = () => pick(auditor.accountIds);
    const amount = () => BigInt(1 + Math.floor(this.random() * AMOUNT_MINOR_MAX));
    const roll = this.random();
    if (roll < 0.4) {
      // Money in from the treasury half the time, so customers have funds to move and overdraw.
      const from = this.random() < 0.5 ? auditor.accountIds[0] : account();
      const value = amount();
      const entries = [
        { account_id: from, direction: 'debit' as const, amount: value },
        { account_id: account(), direction: 'credit' as const, amount: value },
      ];
      return { type: 'post_transaction', entries, description: null, reference: null, metadata: {} };
    }
    if (roll < 0.6 || auditor.holdIds.length === 0) {
      const expires = this.random() < 0.5 ? null : new Date(this.clock.nowMs() + 1 + Math.floor(this.random() * HOLD_EXPIRY_MS_MAX)).toISOString();
      return { type: 'place_hold', account_id: account(), destination_account_id: account(), amount: amount(), expires_at: expires, reference: null, description: null, metadata: {} };
    }
    if (roll < 0.7) return { type: 'capture_hold', hold_id: pick(auditor.holdIds), amount: this.random() < 0.5 ? null : amount() };
    if (roll < 0.78) return { type: 'release_hold', hold_id: pick(auditor.holdIds), note: null };
    if (roll < 0.85) return { type: 'expire_hold', hold_id: pick(auditor.holdIds) };
    return { type: 'reverse_transaction', transaction_id: auditor.transactionIds.length ? pick(auditor.transactionIds) : 'none', reason: null };
  }

  /** Folds what the log gained into each tenant's auditor, checking every new event and then the states. */
  audit(): void {
    const full = this.report.operations - this.fullCheckAt >= FULL_CHECK_EVERY_OPERATIONS;
    if (full) this.fullCheckAt = this.report.operations;
    for (const [tenant, auditor] of this.auditors) {
      const fresh = this.readTail(tenant, auditor.state.revision + 1n);
      for (const event of fresh) this.auditEvent(tenant, auditor, event);
      this.report.events += fresh.length;
      this.checkAccounts(tenant, auditor);
      this.checkWriters(tenant, auditor, full);
    }
  }

  private readTail(tenant: string, from: bigint): RecordedEvent[] {
    // The log's own synchronous read: checks must not draw faults, move the clock or yield to the writers.
    return this.log.readStreamNow(ledgerStream(tenant), { fromRevision: from });
  }

  private auditEvent(tenant: string, auditor: Auditor, recorded: RecordedEvent): void {
    const key = recorded.metadata.idempotency_key as string | undefined;
    if (key) {
      const last = auditor.lastRevisionOfKey.get(key);
      if (last !== undefined && last !== recorded.revision - 1n) this.violation(`${tenant}: key ${key} recorded twice (revisions ${last} and ${recorded.revision})`);
      auditor.lastRevisionOfKey.set(key, recorded.revision);
    }
    const event = { type: recorded.type, data: recorded.data } as LedgerEvent;
    const kind = event.type === 'ledger.entry.posted' && event.data.hold_id ? 'capture' : event.type;
    this.report.events_by_type[kind] = (this.report.events_by_type[kind] ?? 0) + 1;
    evolve(auditor.state, event, recorded.revision, recorded.metadata);
    const add = (map: Map<string, bigint>, account: string, amount: bigint) => map.set(account, (map.get(account) ?? 0n) + amount);
    const checkAfter = (accountId: string, after: BalanceAfter) => {
      const account = auditor.state.accounts.get(accountId)!;
      if (!account.allow_negative && (BigInt(after.available) < 0n || BigInt(after.posted) < 0n)) this.violation(`${tenant}: ${accountId} below zero at revision ${recorded.revision}: ${JSON.stringify(after)}`);
    };
    switch (event.type) {
      case 'account.created':
        auditor.accountIds.push(event.data.account_id);
        break;
      case 'balance.hold.created':
        auditor.holdIds.push(event.data.hold_id);
        auditor.holdAmounts.set(event.data.hold_id, { source: event.data.account_id, destination: event.data.destination_account_id, amount: BigInt(event.data.amount) });
        add(auditor.pendingOut, event.data.account_id, BigInt(event.data.amount));
        add(auditor.pendingIn, event.data.destination_account_id, BigInt(event.data.amount));
        checkAfter(event.data.account_id, event.data.source_balance_after);
        checkAfter(event.data.destination_account_id, event.data.destination_balance_after);
        break;
      case 'balance.released':
        add(auditor.pendingOut, event.data.account_id, -BigInt(event.data.amount));
        add(auditor.pendingIn, event.data.destination_account_id, -BigInt(event.data.amount));
        checkAfter(event.data.account_id, event.data.source_balance_after);
        checkAfter(event.data.destination_account_id, event.data.destination_balance_after);
        break;
      case 'ledger.entry.posted': {
        auditor.transactionIds.push(event.data.transaction_id);
        for (const entry of event.data.entries) checkAfter(entry.account_id, entry.balance_after);
        const hold = event.data.hold_id ? auditor.holdAmounts.get(event.data.hold_id) : undefined;
        if (hold) {
          const captured = BigInt(event.data.entries[0].amount);
          add(auditor.pendingOut, hold.source, -captured);
          add(auditor.pendingIn, hold.destination, -captured);
        }
        break;
      }
      default:
        break;
    }
  }

  /** Conservation and holds accounting on the replayed state. */
  private checkAccounts(tenant: string, auditor: Auditor): void {
    let net = 0n;
    let pending = 0n;
    for (const id of auditor.accountIds) {
      const account = auditor.state.accounts.get(id)!;
      net += account.debits_posted - account.credits_posted;
      pending += account.debits_pending - account.credits_pending;
      if (account.debits_pending !== (auditor.pendingOut.get(id) ?? 0n) || account.credits_pending !== (auditor.pendingIn.get(id) ?? 0n)) {
        this.violation(`${tenant}: ${id} pending ${account.debits_pending}/${account.credits_pending} but open holds ${auditor.pendingOut.get(id) ?? 0n}/${auditor.pendingIn.get(id) ?? 0n}`);
      }
      if (!account.allow_negative && availableBalance(account.normal_balance, countersOf(account)) < 0n) this.violation(`${tenant}: ${id} available below zero`);
    }
    if (net !== 0n || pending !== 0n) this.violation(`${tenant}: does not sum to zero (posted ${net}, pending ${pending})`);
  }

  /** A writer at the log's head holds exactly the replayed state: its accounts always, everything when `full`. */
  checkWriters(tenant: string, auditor: Auditor, full: boolean): void {
    const index = this.tenants().indexOf(tenant);
    for (const [process, writers] of this.writers.entries()) {
      const cached = cachedState(writers[index]);
      if (!cached || cached.revision !== auditor.state.revision) continue;
      for (const id of auditor.accountIds) {
        const live = cached.accounts.get(id);
        const replayed = auditor.state.accounts.get(id)!;
        if (!live || !sameAccount(live, replayed)) this.violation(`${tenant}: process ${process}'s writer has ${id} as ${show(live)}, the log as ${show(replayed)}`);
      }
      if (full && serializeState(cached) !== serializeState(auditor.state)) this.violation(`${tenant}: process ${process}'s writer state differs from the replay at revision ${cached.revision}`);
    }
  }

  /** The end: every late append lands, every writer catches up, then nothing acknowledged is lost and each answer is the log's. */
  async finish(): Promise<void> {
    this.stores[0].settle();
    for (const store of this.stores) store.rates = NO_FAULTS;
    this.audit();
    for (const tenant of this.tenants()) {
      for (const writers of this.writers) {
        // A refused command makes a writer look for appends it has not seen (tenant-writer.ts), so it catches up.
        await writers[this.tenants().indexOf(tenant)].submit({ tenant_id: tenant, command: { type: 'capture_hold', hold_id: 'no-such-hold', amount: null }, idempotency_key: null, request_hash: null, metadata: { actor: 'simulation', role: 'admin', request_id: 'final', intent_id: null, policy: [] } });
      }
      this.checkWriters(tenant, this.auditors.get(tenant)!, true);
      const replayed = initialState();
      for (const event of this.readTail(tenant, 0n)) evolve(replayed, { type: event.type, data: event.data } as LedgerEvent, event.revision, event.metadata);
      if (serializeState(replayed) !== serializeState(this.auditors.get(tenant)!.state)) this.violation(`${tenant}: an incremental replay differs from one from scratch`);
    }
    const streams = new Map(this.tenants().map((tenant) => [tenant, this.readTail(tenant, 0n)]));
    for (const ack of this.acknowledged) {
      const stream = streams.get(ack.tenant)!;
      for (const event of ack.events) {
        const inLog = stream[Number(event.revision)];
        if (!inLog || inLog.id !== event.id || inLog.metadata.idempotency_key !== ack.key) this.violation(`${ack.tenant}: ${ack.key} was answered with event ${event.id} at ${event.revision}, the log has ${inLog?.id ?? 'nothing'} there`);
      }
    }
    for (const store of this.stores) for (const [kind, n] of store.faults) this.report.faults[kind] = (this.report.faults[kind] ?? 0) + n;
  }

  violation(message: string): void {
    if (this.report.violations.length < VIOLATIONS_MAX) this.report.violations.push(message);
  }
}

/** The writer's cached state: it exposes none, and the simulation compares it with the log. */
function cachedState(writer: TenantWriter): LedgerState | null {
  return (writer as unknown as { state: LedgerState | null }).state;
}

function sameAccount(a: Account, b: Account): boolean {
  return a.debits_posted === b.debits_posted && a.credits_posted === b.credits_posted && a.debits_pending === b.debits_pending && a.credits_pending === b.credits_pending && a.lock_version === b.lock_version && a.status === b.status;
}

function show(account: Account | undefined): string {
  return account ? `${account.debits_posted}/${account.credits_posted}/${account.debits_pending}/${account.credits_pending}@${account.lock_version}` : 'missing';
}

function requestHash(command: LedgerCommand): string {
  const json = canonicalJson(JSON.parse(JSON.stringify(command, (_k, v) => (typeof v === 'bigint' ? `${v}` : v))));
  return createHash('sha256').update(json).digest('hex');
}

/** Runs one universe of `operations` operations from `seed`. */
export async function simulate(
  seed: number,
  operations: number,
  rates: FaultRates = DEFAULT_FAULT_RATES,
  afterStep: (log: InMemoryEventStore, operations: number) => void = () => undefined,
): Promise<SimulationReport> {
  if (operations > UNIVERSE_OPERATIONS_MAX) throw new Error(`one universe runs at most ${UNIVERSE_OPERATIONS_MAX} operations; split the run (simulateMany)`);
  const universe = new Universe(seed, rates, afterStep);
  await universe.open();
  while (universe.report.operations < operations && universe.report.violations.length === 0) await universe.step();
  await universe.finish();
  return universe.report;
}

/** Runs `operations` in universes of at most UNIVERSE_OPERATIONS_MAX, each from a seed drawn from `seed`; stops at the first with a violation. */
export async function simulateMany(seed: number, operations: number, onUniverse: (report: SimulationReport) => void = () => undefined): Promise<SimulationReport[]> {
  const seeds = seededRandom(seed);
  const reports: SimulationReport[] = [];
  for (let done = 0; done < operations; ) {
    const report = await simulate(Math.floor(seeds() * 2 ** 31), Math.min(UNIVERSE_OPERATIONS_MAX, operations - done));
    reports.push(report);
    onUniverse(report);
    done += report.operations;
    if (report.violations.length > 0) break;
  }
  return reports;
}
