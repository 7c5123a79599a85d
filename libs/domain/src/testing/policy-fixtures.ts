/**
 * Builders for the policy specs: rules, commands, recorded policy events, and a small ledger
 * that decides commands under its policies at given times and folds what it accepts (history
 * made by real decisions, so postings carry the times velocity windows count by).
 */
import { CreatePolicy, DisablePolicy, LedgerCommand, UpdatePolicy } from '../commands.js';
import { DomainError, isDomainError } from '../errors.js';
import { LedgerEvent, MonitorDirection, PolicyMode, PolicyScope } from '../events.js';
import { PolicyRule, policyRuleData } from '../policies.js';
import { ControlledDecision, decideControlled } from '../policy-evaluation.js';
import { LedgerState } from '../state.js';
import { CREATED_AT } from './ledger-fixtures.js';
import { GivenEvent, fold, testContext } from './given-when-then.js';

export function amountLimit(currency: string, max_amount: bigint): PolicyRule {
  return { type: 'amount_limit', params: { currency, max_amount } };
}

export function velocityLimit(currency: string, max_amount: bigint, window_seconds: number, max_count: number | null = null): PolicyRule {
  return { type: 'velocity_limit', params: { currency, max_amount, window_seconds, max_count } };
}

export function currencyAllowlist(...currencies: string[]): PolicyRule {
  return { type: 'currency_allowlist', params: { currencies } };
}

export function balanceMonitor(currency: string, threshold: bigint, when: MonitorDirection): PolicyRule {
  return { type: 'balance_monitor', params: { currency, threshold, when } };
}

export interface PolicyOptions {
  name?: string;
  mode?: PolicyMode;
  scope?: PolicyScope;
}

export function createPolicy(rule: PolicyRule, options: PolicyOptions = {}): CreatePolicy {
  return { type: 'create_policy', name: options.name ?? `${rule.type} policy`, mode: options.mode ?? 'enforce', scope: options.scope ?? {}, rule };
}

export function updatePolicy(policy_id: string, change: Omit<UpdatePolicy, 'type' | 'policy_id'>): UpdatePolicy {
  return { type: 'update_policy', policy_id, ...change };
}

export function disablePolicy(policy_id: string): DisablePolicy {
  return { type: 'disable_policy', policy_id };
}

/** A recorded `policy.created` (version 1, at CREATED_AT unless told). */
export function policyCreated(policy_id: string, rule: PolicyRule, options: PolicyOptions & { created_at?: string } = {}): LedgerEvent {
  return {
    type: 'policy.created',
    data: {
      policy_id,
      name: options.name ?? `${rule.type} policy`,
      mode: options.mode ?? 'enforce',
      scope: options.scope ?? {},
      version: 1,
      created_at: options.created_at ?? CREATED_AT,
      ...policyRuleData(rule),
    },
  };
}

/** A recorded `policy.updated` to `version`. */
export function policyUpdated(policy_id: string, rule: PolicyRule, version: number, options: PolicyOptions & { updated_at?: string } = {}): LedgerEvent {
  return {
    type: 'policy.updated',
    data: {
      policy_id,
      name: options.name ?? `${rule.type} policy`,
      mode: options.mode ?? 'enforce',
      scope: options.scope ?? {},
      version,
      updated_at: options.updated_at ?? CREATED_AT,
      ...policyRuleData(rule),
    },
  };
}

export function policyDisabled(policy_id: string, version: number, disabled_at = CREATED_AT): LedgerEvent {
  return { type: 'policy.disabled', data: { policy_id, version, disabled_at } };
}

/** One command as the small ledger decided it. */
export interface Decided {
  command: LedgerCommand;
  now: string;
  idPrefix: string;
  /** The log's revision just before the command was decided. */
  revisionBefore: bigint;
  outcome: ControlledDecision | DomainError;
}

/**
 * A tenant ledger for the specs: given history, then commands decided under the policies at
 * the times given, each accepted decision folded in. Ids are `c<n>-1`, `c<n>-2`, ... for the
 * n-th command, so they are unique and the same on every run.
 */
export class SmallLedger {
  readonly log: LedgerEvent[] = [];
  readonly decided: Decided[] = [];
  readonly state: LedgerState;

  constructor(history: GivenEvent[] = []) {
    this.state = fold(history);
    for (const given of history) this.log.push('event' in given && 'meta' in given ? given.event : given);
  }

  run(command: LedgerCommand, now: string): ControlledDecision | DomainError {
    const idPrefix = `c${this.decided.length + 1}`;
    const revisionBefore = this.state.revision;
    const outcome = decideControlled(this.state, command, testContext(now, idPrefix));
    this.decided.push({ command, now, idPrefix, revisionBefore, outcome });
    if (!isDomainError(outcome)) {
      fold(outcome.events, this.state);
      this.log.push(...outcome.events);
    }
    return outcome;
  }

  /** Runs a command that must be accepted; its decision. */
  accept(command: LedgerCommand, now: string): ControlledDecision {
    const outcome = this.run(command, now);
    if (isDomainError(outcome)) throw new Error(`expected ${command.type} at ${now} to be accepted, got ${outcome.code}: ${outcome.message}`);
    return outcome;
  }

  /** Runs a command that must be refused; the refusal. */
  refuse(command: LedgerCommand, now: string): DomainError {
    const outcome = this.run(command, now);
    if (!isDomainError(outcome)) throw new Error(`expected ${command.type} at ${now} to be refused, got ${outcome.events.length} event(s)`);
    return outcome;
  }
}

/** The id the n-th command of a SmallLedger gave its first new thing (an account, a policy, a hold). */
export function firstIdOf(commandNumber: number): string {
  return `c${commandNumber}-1`;
}
