/**
 * Deciding a command under the tenant's policies: decide() says what the command would do, then
 * every active policy in scope judges that, at the command's accepted time (ctx.now). Pure, like
 * decide: replaying the log decides every past command under the policy version then in force.
 *
 * What runs, per policy type:
 * - amount_limit: the money one posting (a reversal is one), or one hold at placement, takes out
 *   of an account in scope (the sum of that account's debit entries) may not exceed max_amount.
 *   A hold's capture is not checked again: its money was checked when it was held.
 * - velocity_limit: what the account's window already holds (velocity-window.ts) plus this
 *   command's money out may not exceed max_amount, nor the window's postings and holds plus this
 *   one exceed max_count. The window counts from the policy version that defined it (see
 *   policy-state.ts); decisions read it at ctx.now, evolve writes it at the event's time.
 * - currency_allowlist: an account being opened, if in scope by account_type / currency, must
 *   be in one of the listed currencies.
 * - balance_monitor: never refuses. After the command, for each account it touched that is in
 *   scope, if the available balance crossed the threshold the `when` way (was not beyond it
 *   before, is after: `below` is available < threshold, `above` is available > threshold), a
 *   `balance.monitor.triggered` event follows the command's own events. Once per crossing: while
 *   the balance stays beyond, later commands do not fire it again; it fires again only after the
 *   balance has come back. Both modes fire (a monitor only reports). A monitor created while an
 *   account is already beyond its threshold fires at the next crossing, not at once.
 *
 * A limit applies to an account only when the account is in the policy's scope and in the
 * limit's params.currency (the index is by currency, so other currencies cost nothing).
 * In `enforce` mode a violation refuses the whole command with `policy_violation` (nothing is
 * appended); in `observe` mode the command goes through and the check says `observed_violation`.
 * A command the ledger refuses anyway (insufficient funds, unknown account) is refused for that
 * reason: policies judge only what would otherwise happen.
 */
import { availableBalance } from './account.js';
import { DecisionContext, LedgerCommand } from './commands.js';
import { decide } from './decide.js';
import { refusedIntent } from './intents.js';
import { DomainError, domainError, isDomainError } from './errors.js';
import { BalanceAfter, LedgerEvent, PolicyMode, PolicyType } from './events.js';
import { Outflow, outflowsOf } from './outflows.js';
import { entryCurrency } from './stored-posting.js';
import {
  ActivePolicies,
  AmountLimitPolicy,
  BalanceMonitorPolicy,
  CurrencyAllowlistPolicy,
  LimitPolicy,
  ScopedAccount,
  VelocityLimitPolicy,
  inScope,
} from './policies.js';
import { LedgerState } from './state.js';
import { logTimeMillis } from './time.js';
import { AccountWindows, WindowUsage, accountWindow, windowUsage } from './velocity-window.js';

/**
 * `limit_check` for amount and velocity limits (the API's evidence names them so), and
 * `allowlist_check` for currency allowlists, which judge an account being opened rather than
 * money moving. Balance monitors are not checks: what they saw is their event.
 */
export type PolicyCheckName = 'limit_check' | 'allowlist_check';
export type PolicyCheckOutcome = 'passed' | 'observed_violation';

/**
 * One policy judging one account in one command: the evidence's `policies` detail, and (minus
 * `check` and `outcome`) a refusal's details. A policy that applies to two accounts of a posting
 * judges each, so it appears once per account.
 */
export interface PolicyCheck {
  check: PolicyCheckName;
  outcome: PolicyCheckOutcome;
  policy_id: string;
  name: string;
  type: PolicyType;
  version: number;
  mode: PolicyMode;
  account_id: string;
  currency: string;
  /** max_amount (or max_count, see measure) as a decimal string; an allowlist's currencies. */
  limit: string | string[];
  /** What this command adds: money out, or '1' posting/hold when measure is count; an allowlist: the account's currency. */
  attempted: string;
  /** velocity_limit only: what the window held before this command, in the same measure. */
  used?: string;
  window_seconds?: number;
  /** velocity_limit only: `count` when max_count is what the command broke (or would break alone). */
  measure?: 'amount' | 'count';
}

export interface ControlledDecision {
  /** The command's events, then any balance.monitor.triggered. */
  events: LedgerEvent[];
  /** Every check that ran, in order; empty when no limit or allowlist applied. */
  checks: readonly PolicyCheck[];
}

/**
 * One check as a decision ran it: what its PolicyCheck is built from (policyCheckOf), and whether
 * it was violated. The writer keeps only the violations in full (event-envelope.ts), so for the
 * checks that passed it builds no PolicyCheck and turns no amount into text; `used` is the
 * window's figures as read (an immutable record), so a check built later says what it saw.
 */
export type JudgedCheck =
  | { readonly policy: LimitPolicy; readonly outflow: Outflow; readonly used: WindowUsage | null; readonly violated: boolean }
  | { readonly policy: CurrencyAllowlistPolicy; readonly account: ScopedAccount; readonly violated: boolean };

/**
 * Which checks a decision keeps: `all`, or only the `violations` when its events keep only those
 * in full and derive the rest when read (derivesPassedChecks) — a writer's usual case, where a
 * posting under ten limits then keeps nothing of them but a count.
 */
export type ChecksKept = 'all' | 'violations';

/** decideJudged's answer: decideControlled's, with the checks as they ran (policyChecksOf builds them). */
export interface JudgedDecision {
  events: LedgerEvent[];
  /** How many checks ran. */
  checks_run: number;
  /** The checks that ran, in order: every one, or (ChecksKept `violations`) those that did not pass. */
  judged: readonly JudgedCheck[];
}

/** Checks as they run: each counted, and kept when `all` or not passed. */
interface CheckRecord {
  readonly all: boolean;
  run: number;
  readonly judged: JudgedCheck[];
}

function checkRecord(all: boolean): CheckRecord {
  return { all, run: 0, judged: [] };
}

function record(checks: CheckRecord, check: JudgedCheck): void {
  checks.run++;
  if (checks.all || check.violated) checks.judged.push(check);
}

/**
 * Whether a command's events can have their passed checks derived when read: exactly one event,
 * holding what the checks judged (a posting's money out, a hold's placement, an account's
 * opening). An event that does not (a monitor's trigger, an intent's acceptance) carries every
 * check in full (event-envelope.ts).
 */
export function derivesPassedChecks(events: readonly LedgerEvent[]): boolean {
  return events.length === 1 && holdsWhatPoliciesJudge(events[0]);
}

/** A posting's money out, a hold's placement, an account's opening: what limits and allowlists judge (outflows.ts). */
export function holdsWhatPoliciesJudge(event: LedgerEvent): boolean {
  return event.type === 'balance.hold.created' || event.type === 'account.created' || (event.type === 'ledger.entry.posted' && event.data.hold_id === undefined);
}

const NO_CHECKS: readonly PolicyCheck[] = Object.freeze([]);
const NOTHING_JUDGED: readonly JudgedCheck[] = Object.freeze([]);

/** decide() under the tenant's policies, every check that ran built in full (decideJudged, then policyChecksOf). */
export function decideControlled(state: LedgerState, command: LedgerCommand, ctx: DecisionContext): ControlledDecision | DomainError {
  const decision = decideJudged(state, command, ctx);
  if (isDomainError(decision)) return decision;
  return { events: decision.events, checks: decision.judged.length === 0 ? NO_CHECKS : policyChecksOf(decision.judged) };
}

/**
 * decide() under the tenant's policies. The writer calls this instead of decide() and records
 * the checks in the events' metadata (controlsOf: the revision, and the violations in full).
 */
export function decideJudged(state: LedgerState, command: LedgerCommand, ctx: DecisionContext, keep: ChecksKept = 'all'): JudgedDecision | DomainError {
  const decision = decide(state, command, ctx);
  if (isDomainError(decision)) return decision;
  const active = state.active_policies;
  if (active === undefined || active.all.length === 0) return { events: decision, checks_run: 0, judged: NOTHING_JUDGED };

  let checks = checkRecord(keep === 'all');
  const judge = (into: CheckRecord) => checkLimits(state, active, decision, ctx, into) ?? checkAllowlists(active, decision, into);
  const refused = judge(checks);
  let events: LedgerEvent[];
  if (refused) {
    // An intent refused by a policy is recorded, refused at its `controlled` stage; any other command appends nothing.
    if (command.type !== 'create_intent' || decision[0]?.type !== 'intent.accepted') return refused;
    events = refusedIntent(decision[0], 'controlled', refused, null, ctx);
  } else {
    const triggered = monitorTriggers(state, active, decision, ctx);
    events = triggered === null ? decision : [...decision, ...triggered];
  }
  // Kept lean, but these events must carry every check: judged again keeping all. The same state,
  // events and time, so the same checks (and the same refusal, if any).
  if (!checks.all && checks.run > checks.judged.length && !derivesPassedChecks(events)) judge((checks = checkRecord(true)));
  return { events, checks_run: checks.run, judged: checks.run === 0 ? NOTHING_JUDGED : checks.judged };
}

/** The checks, in full and in order. */
export function policyChecksOf(judged: readonly JudgedCheck[]): PolicyCheck[] {
  return judged.map(policyCheckOf);
}

/** The checks that did not pass, in full and in order; null for none (the usual case). */
export function violatedChecksOf(judged: readonly JudgedCheck[]): PolicyCheck[] | null {
  let violated: PolicyCheck[] | null = null;
  for (const check of judged) if (check.violated) (violated ??= []).push(policyCheckOf(check));
  return violated;
}

export function policyCheckOf(judged: JudgedCheck): PolicyCheck {
  if ('account' in judged) return allowlistCheck(judged.policy, judged.account).check;
  return judged.policy.type === 'amount_limit' ? amountCheck(judged.policy, judged.outflow).check : velocityCheckOf(judged.policy, judged.outflow, judged.used).check;
}

/** The evidence's `policy` entries for these checks, `<check>.<outcome>`, in order (the writer puts tenant_scope and role first). */
export function policyCheckLabels(checks: readonly PolicyCheck[]): string[] {
  return checks.map((c) => `${c.check}.${c.outcome}`);
}

/**
 * Visits each (limit policy, money out of an account) a command's events put in scope, in the
 * order a decision judges them: events in order, accounts as they first appear in each, policies
 * in creation order. The one place that says which limits judge which account: deciding
 * (checkLimits) and re-deriving a decided command's evidence (derivePolicyChecks) both walk it.
 * `visit` stops the walk by returning something other than null.
 */
function eachLimitInScope<T>(
  active: ActivePolicies,
  accountOf: (id: string) => ScopedAccount | undefined,
  events: readonly LedgerEvent[],
  visit: (policy: LimitPolicy, outflow: Outflow) => T | null,
): T | null {
  const limits = active.limits_by_currency;
  if (limits.size === 0) return null;
  for (const event of events) {
    const outflows = outflowsOf(event, limits);
    if (outflows === null) continue;
    for (const outflow of outflows) {
      const account = accountOf(outflow.account_id);
      if (!account) continue;
      for (const policy of limits.get(outflow.currency)!) {
        if (!inScope(policy.scope, account)) continue;
        const stop = visit(policy, outflow);
        if (stop !== null) return stop;
      }
    }
  }
  return null;
}

/** Visits each (allowlist, account being opened) in scope, in event then creation order; like eachLimitInScope. */
function eachAllowlistInScope<T>(active: ActivePolicies, events: readonly LedgerEvent[], visit: (policy: CurrencyAllowlistPolicy, account: ScopedAccount) => T | null): T | null {
  if (active.allowlists.length === 0) return null;
  for (const event of events) {
    if (event.type !== 'account.created') continue;
    const d = event.data;
    const account = { id: d.account_id, account_type: d.account_type, currency: d.currency };
    for (const policy of active.allowlists) {
      if (!inScope(policy.scope, account)) continue;
      const stop = visit(policy, account);
      if (stop !== null) return stop;
    }
  }
  return null;
}

/** Runs every limit in scope of every account the events take money out of; a refusal on the first enforced violation. */
function checkLimits(state: LedgerState, active: ActivePolicies, events: LedgerEvent[], ctx: DecisionContext, checks: CheckRecord): DomainError | null {
  const accountOf = (id: string) => state.accounts.get(id);
  // Parsed once per command, not once per velocity limit: every check reads the window at the same time.
  const nowMs = logTimeMillis(ctx.now);
  // An account's windows are looked up once for all the limits that judge its money out (they come together).
  let windowsOf: Outflow | null = null;
  let windows: AccountWindows | undefined;
  return eachLimitInScope(active, accountOf, events, (policy, outflow) => {
    let used: WindowUsage | null = null;
    let violated: boolean;
    if (policy.type === 'amount_limit') {
      violated = amountViolated(policy, outflow);
    } else {
      if (windowsOf !== outflow) windows = state.velocity_windows.get((windowsOf = outflow).account_id);
      used = windowUsage(accountWindow(windows, policy.id), policy.window_version, policy.params.window_seconds, nowMs);
      violated = velocityViolated(policy, outflow, used);
    }
    if (!violated && !checks.all) {
      // Passed, and only counted: no record made.
      checks.run++;
      return null;
    }
    const check: JudgedCheck = { policy, outflow, used, violated };
    if (violated && policy.mode === 'enforce') {
      const full = policyCheckOf(check);
      return violation(full, limitMessage(full));
    }
    record(checks, check);
    return null;
  });
}

/**
 * The checks a decided command ran, re-derived from what cannot change: the policy versions in
 * force when it was decided (`active`, as of the stream revision its evidence names), the records
 * of its accounts (type and currency never change) and its events. Every check reads `passed`
 * with the limit and attempted amount a passed check records, without a velocity window's
 * `used` (the window is not kept); a check that did not pass was stored in full with the events
 * and is preferred to this (event-envelope.ts). The same walk as decideControlled, so a check
 * appears here exactly when, and where, the decision ran it.
 */
export function derivePolicyChecks(active: ActivePolicies, accountOf: (id: string) => ScopedAccount | undefined, events: readonly LedgerEvent[]): PolicyCheck[] {
  const checks: PolicyCheck[] = [];
  eachLimitInScope(active, accountOf, events, (policy, outflow) => {
    checks.push(policy.type === 'amount_limit' ? amountCheck(policy, outflow).check : velocityCheckOf(policy, outflow, null).check);
    return null;
  });
  eachAllowlistInScope(active, events, (policy, account) => {
    checks.push(allowlistCheck(policy, account).check);
    return null;
  });
  for (const check of checks) check.outcome = 'passed';
  return checks;
}

interface Judged {
  violated: boolean;
  check: PolicyCheck;
}

function checkOf(policy: AmountLimitPolicy | VelocityLimitPolicy | CurrencyAllowlistPolicy, check: PolicyCheckName, violated: boolean, accountId: string, currency: string): PolicyCheck {
  return {
    check,
    outcome: violated ? 'observed_violation' : 'passed',
    policy_id: policy.id,
    name: policy.name,
    type: policy.type,
    version: policy.version,
    mode: policy.mode,
    account_id: accountId,
    currency,
    limit: '',
    attempted: '',
  };
}

function amountViolated(policy: AmountLimitPolicy, outflow: Outflow): boolean {
  return outflow.amount > policy.params.max_amount;
}

function amountCheck(policy: AmountLimitPolicy, outflow: Outflow): Judged {
  const violated = amountViolated(policy, outflow);
  const check = checkOf(policy, 'limit_check', violated, outflow.account_id, outflow.currency);
  check.limit = policy.params.max_amount.toString();
  check.attempted = outflow.amount.toString();
  return { violated, check };
}

/** Exactly at the limit passes; one over is a violation (of the amount, or of max_count). */
function velocityViolated(policy: VelocityLimitPolicy, outflow: Outflow, used: WindowUsage): boolean {
  const p = policy.params;
  return used.amount + outflow.amount > p.max_amount || (p.max_count !== null && used.count + 1 > p.max_count);
}

/** The check for what the window held before (`used`); with none known (a derived check), a passed check without `used`. */
function velocityCheckOf(policy: VelocityLimitPolicy, outflow: Outflow, used: WindowUsage | null): Judged {
  const p = policy.params;
  const amountOver = used !== null && used.amount + outflow.amount > p.max_amount;
  const countOver = used !== null && p.max_count !== null && used.count + 1 > p.max_count;
  const violated = amountOver || countOver;
  const check = checkOf(policy, 'limit_check', violated, outflow.account_id, outflow.currency);
  if (countOver && !amountOver) {
    check.measure = 'count';
    check.limit = String(p.max_count);
    check.attempted = '1';
    check.used = String(used!.count);
  } else {
    check.measure = 'amount';
    check.limit = p.max_amount.toString();
    check.attempted = outflow.amount.toString();
    if (used !== null) check.used = used.amount.toString();
  }
  check.window_seconds = p.window_seconds;
  return { violated, check };
}

function limitMessage(check: PolicyCheck): string {
  const head = `policy ${check.name} (${check.type}, ${check.policy_id})`;
  if (check.type === 'amount_limit') {
    return `${head} allows at most ${check.limit} ${check.currency} out of account ${check.account_id} at once; this takes ${check.attempted}`;
  }
  const what = check.measure === 'count' ? 'postings and holds' : check.currency;
  return `${head} allows at most ${check.limit} ${what} out of account ${check.account_id} per ${check.window_seconds} s; ${check.used} used, this adds ${check.attempted}`;
}

function violation(check: Omit<PolicyCheck, 'account_id'>, message: string): DomainError {
  const { check: _check, outcome: _outcome, ...details } = check;
  return domainError('policy_violation', message, details);
}

/** Allowlists in scope of each account the events open. */
function checkAllowlists(active: ActivePolicies, events: LedgerEvent[], checks: CheckRecord): DomainError | null {
  return eachAllowlistInScope(active, events, (policy, account) => {
    const { violated, check } = allowlistCheck(policy, account);
    if (violated && policy.mode === 'enforce') {
      // The refused account never exists: its id would name nothing, so the details leave it out.
      const { account_id: _unborn, ...refusal } = check;
      return violation(refusal, `policy ${policy.name} (currency_allowlist, ${policy.id}) allows accounts in ${policy.params.currencies.join(', ')} only; not ${account.currency}`);
    }
    record(checks, { policy, account, violated });
    return null;
  });
}

function allowlistCheck(policy: CurrencyAllowlistPolicy, account: ScopedAccount): Judged {
  const violated = !policy.params.currencies.includes(account.currency);
  const check = checkOf(policy, 'allowlist_check', violated, account.id, account.currency);
  check.limit = [...policy.params.currencies];
  check.attempted = account.currency;
  return { violated, check };
}

/** balance.monitor.triggered for each crossing the events make, in the order accounts were first touched; null for none. */
function monitorTriggers(state: LedgerState, active: ActivePolicies, events: LedgerEvent[], ctx: DecisionContext): LedgerEvent[] | null {
  const monitors = active.monitors_by_currency;
  if (monitors.size === 0) return null;
  const after = figuresAfter(events, monitors);
  if (after === null) return null;
  let triggered: LedgerEvent[] | null = null;
  for (const [accountId, { currency, balance }] of after) {
    const account = state.accounts.get(accountId);
    if (!account) continue;
    const before = availableBalance(account.normal_balance, account);
    const now = BigInt(balance.available);
    for (const policy of monitors.get(currency)!) {
      if (!inScope(policy.scope, account) || beyond(policy, before) || !beyond(policy, now)) continue;
      (triggered ??= []).push(monitorTriggered(policy, accountId, currency, before, now, ctx));
    }
  }
  return triggered;
}

/** Each account's figures after the whole command (the last the events record for it), for accounts in `currencies`; null for none. */
function figuresAfter(events: LedgerEvent[], currencies: ReadonlyMap<string, unknown>): Map<string, { currency: string; balance: BalanceAfter }> | null {
  let after: Map<string, { currency: string; balance: BalanceAfter }> | null = null;
  for (const event of events) {
    if (event.type === 'ledger.entry.posted') {
      for (const entry of event.data.entries) {
        const currency = entryCurrency(event.data, entry);
        if (currencies.has(currency)) (after ??= new Map()).set(entry.account_id, { currency, balance: entry.balance_after });
      }
    } else if (event.type === 'balance.hold.created' || event.type === 'balance.released') {
      const d = event.data;
      if (!currencies.has(d.currency)) continue;
      after ??= new Map();
      after.set(d.account_id, { currency: d.currency, balance: d.source_balance_after });
      after.set(d.destination_account_id, { currency: d.currency, balance: d.destination_balance_after });
    }
    // Status changes move no money; an account opens at zero, which crosses nothing.
  }
  return after;
}

function beyond(policy: BalanceMonitorPolicy, available: bigint): boolean {
  return policy.params.when === 'below' ? available < policy.params.threshold : available > policy.params.threshold;
}

function monitorTriggered(policy: BalanceMonitorPolicy, accountId: string, currency: string, before: bigint, after: bigint, ctx: DecisionContext): LedgerEvent {
  return {
    type: 'balance.monitor.triggered',
    data: {
      policy_id: policy.id,
      policy_version: policy.version,
      name: policy.name,
      account_id: accountId,
      currency,
      threshold: policy.params.threshold.toString(),
      when: policy.params.when,
      balance: after.toString(),
      balance_before: before.toString(),
      triggered_at: ctx.now,
    },
  };
}
