/**
 * Given/when/then for the decider: given recorded events, when a command is decided,
 * then events or an error. Framework-free on purpose (this file is compiled with the
 * library, which has no Jest types); the specs make the assertions.
 */
import { DecisionContext, LedgerCommand } from '../commands.js';
import { decide } from '../decide.js';
import { Decision } from '../refusals.js';
import { DomainError, isDomainError } from '../errors.js';
import { LedgerEvent } from '../events.js';
import { ControlledDecision, PolicyCheck, decideControlled } from '../policy-evaluation.js';
import { windowBuckets } from '../velocity-window.js';
import { EventEnvelopeMeta, LedgerState, evolve, initialState } from '../state.js';

/** The acceptance time every test context uses unless told otherwise. */
export const NOW = '2030-01-02T03:04:05.000Z';

export interface TestContext extends DecisionContext {
  /** Every id handed out so far, in order. */
  readonly issued: string[];
}

/** A deterministic context: a fixed `now` and ids `${prefix}-1`, `${prefix}-2`, ... */
export function testContext(now: string = NOW, prefix = 'id'): TestContext {
  const issued: string[] = [];
  return {
    now,
    issued,
    newId: () => {
      const id = `${prefix}-${issued.length + 1}`;
      issued.push(id);
      return id;
    },
  };
}

/** An event as the log holds it: the event plus the envelope metadata evolve() reads. */
export interface RecordedEvent {
  event: LedgerEvent;
  meta: EventEnvelopeMeta;
}

export type GivenEvent = LedgerEvent | RecordedEvent;

function isRecorded(given: GivenEvent): given is RecordedEvent {
  return 'event' in given && 'meta' in given;
}

/** Folds events into `state` (a fresh one by default) at revisions following `state.revision`. */
export function fold(events: readonly GivenEvent[], state: LedgerState = initialState()): LedgerState {
  for (const given of events) {
    const revision = state.revision + 1n;
    if (isRecorded(given)) evolve(state, given.event, revision, given.meta);
    else evolve(state, given, revision);
  }
  return state;
}

export interface Outcome {
  readonly decision: Decision;
  /** The state decide() ran against, as it is after the decision. */
  readonly state: LedgerState;
  /** The same history folded into a separate state: what `state` must still equal. */
  readonly stateBefore: LedgerState;
  readonly ctx: TestContext;
  /** The decided events; throws if the decision was an error. */
  events(): LedgerEvent[];
  /** The refusal; throws if the decision was events. */
  error(): DomainError;
  /** The state after folding the decided events (a copy; `state` stays as it was). */
  stateAfter(): LedgerState;
}

export interface ControlledOutcome extends Outcome {
  /** What decideControlled returned. */
  readonly controlled: ControlledDecision | DomainError;
  /** The checks that ran; throws if the decision was an error. */
  checks(): readonly PolicyCheck[];
}

export interface Scenario {
  when(command: LedgerCommand, ctx?: TestContext): Outcome;
  /** The same, decided under the tenant's policies (decideControlled). */
  whenControlled(command: LedgerCommand, ctx?: TestContext): ControlledOutcome;
}

export function given(...history: GivenEvent[]): Scenario {
  return {
    when(command, ctx = testContext()) {
      const state = fold(history);
      const stateBefore = fold(history);
      const decision = decide(state, command, ctx);
      const events = (): LedgerEvent[] => {
        if (isDomainError(decision)) throw new Error(`expected events, got ${decision.code}: ${decision.message}`);
        return decision;
      };
      const error = (): DomainError => {
        if (!isDomainError(decision)) throw new Error(`expected a domain error, got ${decision.length} event(s)`);
        return decision;
      };
      const stateAfter = (): LedgerState => fold(events(), fold(history));
      return { decision, state, stateBefore, ctx, events, error, stateAfter };
    },
    whenControlled(command, ctx = testContext()) {
      const state = fold(history);
      const stateBefore = fold(history);
      const controlled = decideControlled(state, command, ctx);
      const decision = isDomainError(controlled) ? controlled : controlled.events;
      const accepted = (): ControlledDecision => {
        if (isDomainError(controlled)) throw new Error(`expected events, got ${controlled.code}: ${controlled.message}`);
        return controlled;
      };
      const error = (): DomainError => {
        if (!isDomainError(controlled)) throw new Error(`expected a domain error, got ${controlled.events.length} event(s)`);
        return controlled;
      };
      const events = () => accepted().events;
      const checks = () => accepted().checks;
      const stateAfter = (): LedgerState => fold(events(), fold(history));
      return { decision, controlled, state, stateBefore, ctx, events, checks, error, stateAfter };
    },
  };
}

/**
 * Serialises the whole write model deterministically (bigints as strings, maps in insertion
 * order): revision, accounts and idempotency first, as before, then transactions, holds,
 * last_occurred_at, policies, the active policy ids and the velocity windows (their buckets), the routes and the intents.
 */
export function serializeState(state: LedgerState): string {
  const entriesOf = (map: unknown): unknown[] => (map instanceof Map ? [...map.entries()] : []);
  return JSON.stringify(
    {
      revision: state.revision,
      accounts: entriesOf(state.accounts),
      idempotency: entriesOf(state.idempotency),
      transactions: entriesOf(state.transactions),
      holds: entriesOf(state.holds),
      last_occurred_at: state.last_occurred_at,
      policies: entriesOf(state.policies),
      active_policies: state.active_policies?.all.map((p) => `${p.id}@${p.version}`) ?? [],
      velocity_windows: entriesOf(state.velocity_windows).map(([accountId, { policy_ids, windows }]: any) => [
        accountId,
        windows.map((w: any, i: number) => [policy_ids[i], w.version, w.width_seconds, w.amount, w.count, windowBuckets(w)]),
      ]),
      routes: state.routes,
      intents: entriesOf(state.intents),
      account_paths: entriesOf(state.account_paths),
    },
    (_key, value) => (typeof value === 'bigint' ? `${value}n` : value),
  );
}
