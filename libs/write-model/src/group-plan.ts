import {
  Account,
  AccountWindows,
  DecisionContext,
  ENTRIES_PER_TRANSACTION_MAX,
  Hold,
  IdempotencyRecord,
  Intent,
  LedgerCommand,
  LedgerState,
  Policy,
  PostedTransaction,
  decideJudged,
  evolve,
  idempotencyAnswer,
  isDomainError,
} from '#domain/index.js';
import { APPEND_EVENTS_MAX, APPEND_SIZE_CEILING } from '#event-store/index.js';
import { CommandOutcome, holdIdOf } from './command-envelope.js';
import { PendingCommand } from './command-queue.js';
import { CopyOnWriteMap } from './copy-on-write-map.js';
import { controlsOf, EnvelopedEvent, envelopeEvent, logTime } from './event-envelope.js';
import { flatUuid } from './ids.js';
import { WriterClock } from './writer-clock.js';
import { WriterState } from './writer-state.js';

/**
 * The most bytes one command's events take, as the log counts them (eventBytes): one posting of
 * ENTRIES_PER_TRANSACTION_MAX entries with its metadata is a fraction of it.
 */
export const COMMAND_BYTES_MAX = 1024 * 1024;
/**
 * At most this many bytes of events (eventBytes) go into one append before its last command (the
 * command that crosses it is the group's last), so an append stays within the largest one any
 * log takes: EventStoreDB's MaxAppendSize ceiling, APPEND_SIZE_CEILING...
 */
export const GROUP_BYTES_MAX = APPEND_SIZE_CEILING - COMMAND_BYTES_MAX;

/** ...or, for a log whose appends are limited below that ceiling (EventStore.appendBytesMax), that limit less the command that crosses it. */
export function groupBytesMaxFor(appendBytesMax: number | undefined): number {
  return appendBytesMax === undefined ? GROUP_BYTES_MAX : Math.max(0, Math.min(GROUP_BYTES_MAX, appendBytesMax - COMMAND_BYTES_MAX));
}
/** ...and at most this many events: the store's limit less room for the events of the command that crosses it. */
export const GROUP_EVENTS_MAX = APPEND_EVENTS_MAX - 2 * ENTRIES_PER_TRANSACTION_MAX;

/** What one command turned into within a group, before the append. */
export type Planned =
  | { kind: 'new'; pending: PendingCommand; events: EnvelopedEvent[]; /** index of its first event in the group's */ first: number; hold?: Hold }
  | PlannedReplay
  | { kind: 'rejected'; pending: PendingCommand; outcome: CommandOutcome }
  /** Its decision threw: its caller has been answered with the error already. */
  | { kind: 'failed'; pending: PendingCommand }
  /** A dry run: decided and enveloped, never appended nor folded. */
  | { kind: 'dry'; pending: PendingCommand; events: EnvelopedEvent[] };

/** A command whose idempotency key was seen with the same request: answered with the original events. */
export interface PlannedReplay {
  kind: 'replay';
  pending: PendingCommand;
  record: IdempotencyRecord;
  hold?: Hold;
}

/** A tentative view of the state: decisions fold into it; it is committed only after the append. */
export interface WorkingState extends LedgerState {
  accounts: CopyOnWriteMap<Account>;
  transactions: CopyOnWriteMap<PostedTransaction>;
  holds: CopyOnWriteMap<Hold>;
  idempotency: CopyOnWriteMap<IdempotencyRecord>;
  policies: CopyOnWriteMap<Policy>;
  velocity_windows: CopyOnWriteMap<AccountWindows>;
  intents: CopyOnWriteMap<Intent>;
  account_paths: CopyOnWriteMap<string>;
}

export interface GroupPlan {
  /** The state with every accepted command of the group folded in; see commitPlan. */
  readonly working: WorkingState;
  /** One per command planned, in queue order. */
  readonly planned: Planned[];
  /** The events of every accepted command, in stream order: one append. */
  readonly events: EnvelopedEvent[];
  /** The commands after the group's limits were reached, not planned: they go next. */
  readonly deferred: PendingCommand[];
}

export function fork(state: WriterState): WorkingState {
  return {
    revision: state.revision,
    last_occurred_at: state.last_occurred_at,
    chain_head: state.chain_head,
    accounts: new CopyOnWriteMap(state.accounts),
    transactions: new CopyOnWriteMap(state.transactions),
    holds: new CopyOnWriteMap(state.holds),
    idempotency: new CopyOnWriteMap(state.idempotency),
    policies: new CopyOnWriteMap(state.policies),
    active_policies: state.active_policies,
    velocity_windows: new CopyOnWriteMap(state.velocity_windows),
    routes: state.routes,
    intents: new CopyOnWriteMap(state.intents),
    account_paths: new CopyOnWriteMap(state.account_paths),
  };
}

/** Moves the cached state to the plan's: only once its events are durably appended. */
export function commitPlan(working: WorkingState, state: WriterState): void {
  working.accounts.commit();
  working.transactions.commit();
  working.holds.commit();
  working.idempotency.commit();
  working.policies.commit();
  working.velocity_windows.commit();
  working.intents.commit();
  working.account_paths.commit();
  state.active_policies = working.active_policies;
  state.routes = working.routes;
  state.revision = working.revision;
  state.last_occurred_at = working.last_occurred_at;
  state.chain_head = working.chain_head;
}

/**
 * Group commit: decides each queued command in order against a copy-on-write overlay of the
 * cached state, so each sees the effects of those before it, while a refused (or failing)
 * command changes nothing and refuses alone. `state` is not changed. Stops after the command
 * that reaches `bytesMax` (GROUP_BYTES_MAX, or groupBytesMaxFor the log) or GROUP_EVENTS_MAX;
 * the rest are deferred.
 */
export function planGroup(state: WriterState, group: PendingCommand[], clock: WriterClock, bytesMax = GROUP_BYTES_MAX): GroupPlan {
  const working = fork(state);
  const planned: Planned[] = [];
  const events: EnvelopedEvent[] = [];
  // UTF-16 units, which the UTF-8 bytes are at most 3 times of; the exact bytes (about 1 us per
  // event) are counted only once a group is large enough for them to matter.
  let units = 0;
  let bytes: number | null = null;
  for (let index = 0; index < group.length; index++) {
    const item = planOne(working, group[index], clock);
    if (item.kind === 'new') {
      item.first = events.length;
      for (const event of item.events) {
        events.push(event);
        units += event.serialized.data.length + event.serialized.metadata.length + 2 * event.type.length;
        if (bytes !== null) bytes += eventBytes(event);
      }
    }
    planned.push(item);
    if (bytes === null && 3 * units >= bytesMax) bytes = events.reduce((sum, event) => sum + eventBytes(event), 0);
    if ((bytes ?? 0) >= bytesMax || events.length >= GROUP_EVENTS_MAX) return { working, planned, events, deferred: group.slice(index + 1) };
  }
  return { working, planned, events, deferred: [] };
}

/**
 * An event's bytes as EventStoreDB counts them against MaxAppendSize (Event.SizeOnDisk): its data
 * and metadata in UTF-8, and twice its type's length.
 */
export function eventBytes(event: EnvelopedEvent): number {
  return Buffer.byteLength(event.serialized.data) + Buffer.byteLength(event.serialized.metadata) + 2 * event.type.length;
}

/**
 * A command whose decision throws (a programming error, e.g. a shape the edge should have
 * refused, or the clock's refusal) fails alone: the rest of the group and the cached state are
 * unaffected, because its tentative events are only folded after the decision succeeded.
 */
function planOne(working: WorkingState, pending: PendingCommand, clock: WriterClock): Planned {
  try {
    return plan(working, pending, clock);
  } catch (error) {
    pending.reject(error);
    return { kind: 'failed', pending };
  }
}

/** Decides one command against the working state and folds its events in tentatively. */
function plan(working: WorkingState, pending: PendingCommand, clock: WriterClock): Planned {
  const { envelope } = pending;
  // A dry run uses no idempotency key: it is decided afresh every time.
  const answer = envelope.dry_run ? ({ kind: 'new' } as const) : idempotencyAnswer(working, envelope.idempotency_key, envelope.request_hash);
  if (answer.kind === 'replay') return { kind: 'replay', pending, record: answer.original, hold: holdOf(working, envelope.command) };
  if (answer.kind === 'domain_error') return { kind: 'rejected', pending, outcome: { kind: 'rejected', error: answer } };
  // The log time never goes backwards (logTime takes the later of the clock and the last event),
  // but that alone would let one process with a fast clock carry a tenant's log time ahead for
  // good. So a process whose clock is off by more than LEDGER_CLOCK_SKEW_MAX_MS decides nothing
  // (thrown: this command fails alone, planOne), and the log time runs ahead of the database's
  // clock by at most that much. Replays and refusals of a reused key above stamp nothing and
  // still answer.
  const skewed = clock.refusal();
  if (skewed) throw skewed;
  const ctx: DecisionContext = { now: logTime(clock.nowMs(), working.last_occurred_at), newId: flatUuid };
  // The tenant's policies are judged here, with the command, at its accepted time: the evidence
  // names the checks that ran (none when no limit applied), never a constant list.
  // Passed checks are kept only where the events cannot derive them (see controlsOf).
  const decision = decideJudged(working, envelope.command, ctx, 'violations');
  if (isDomainError(decision)) return { kind: 'rejected', pending, outcome: { kind: 'rejected', error: decision } };
  // The policies in force are those folded up to the revision the command is decided at: the
  // events name it, and what passed is derived from it when evidence is read (event-envelope.ts).
  const controls = controlsOf(envelope.metadata.policy, decision.judged, decision.events, working.revision, decision.checks_run);

  // Each event is linked into the tenant's hash chain in stream order, each one's hash the next
  // one's prev_hash. All are enveloped before any is folded: should enveloping throw, this
  // command fails alone with nothing of it in the working state (planOne).
  const events: EnvelopedEvent[] = [];
  let chainHead = working.chain_head;
  for (let i = 0; i < decision.events.length; i++) {
    const enveloped = envelopeEvent(decision.events[i], envelope, ctx.now, chainHead, controls[i]);
    events.push(enveloped);
    chainHead = String(enveloped.metadata.hash);
  }
  // decideJudged changed nothing: a dry run leaves the working state as it found it.
  if (envelope.dry_run) return { kind: 'dry', pending, events };
  for (let i = 0; i < events.length; i++) evolve(working, decision.events[i], working.revision + 1n, events[i].metadata);
  return { kind: 'new', pending, events, first: 0, hold: holdOf(working, envelope.command) };
}

/** The hold a capture or release leaves (for its answer), as of this command. */
function holdOf(state: LedgerState, command: LedgerCommand): Hold | undefined {
  const holdId = holdIdOf(command);
  return holdId ? state.holds.get(holdId) : undefined;
}
