// Over 300 lines on purpose: the four policy types' parameters, their parsing and limits, and scope matching belong together; decisions live in policy-evaluation.ts, folding in policy-state.ts.
/**
 * Tenant policies (controls): their types, the limits on them, how they are parsed and checked,
 * which accounts they apply to, and the index of the active ones that decisions read.
 *
 * A policy is tenant state in the log (policy.created / policy.updated / policy.disabled), folded
 * by evolve like accounts, so replaying the log decides every past command under the policy
 * version then in force. Deciding with them is policy-evaluation.ts; changing them is
 * policy-changes.ts; the velocity window is velocity-window.ts.
 */
import { Account } from './account.js';
import {
  MonitorDirection,
  PolicyMode,
  PolicyRuleData,
  PolicyScope,
  PolicyType,
} from './events.js';
import { TEXT_FIELD_LENGTH_MAX } from './limits.js';
import { AMOUNT_MAX, isCurrency, parseAmount, parseSignedAmount } from './money.js';

/** Active policies one tenant may have; disabled ones do not count. Every posting may run each one. */
export const POLICIES_PER_TENANT_MAX = 100;
export const POLICY_NAME_LENGTH_MAX = 200;
/** The longest trailing window a velocity limit may have: 31 days. */
export const VELOCITY_WINDOW_SECONDS_MAX = 31 * 24 * 60 * 60;
/** The largest `max_count` of a velocity limit (postings and holds in one window). */
export const VELOCITY_COUNT_MAX = 1_000_000_000;
export const ALLOWLIST_CURRENCIES_MAX = 64;
/** A scope's account_id or account_type, like any free text field. */
export const POLICY_SCOPE_TEXT_LENGTH_MAX = TEXT_FIELD_LENGTH_MAX;

export const POLICY_TYPES: readonly PolicyType[] = Object.freeze(['amount_limit', 'velocity_limit', 'currency_allowlist', 'balance_monitor']);
export const POLICY_MODES: readonly PolicyMode[] = Object.freeze(['enforce', 'observe']);
const MONITOR_DIRECTIONS: readonly MonitorDirection[] = ['below', 'above'];

// --- Typed rules (money as bigint) ----------------------------------------------------------

export interface AmountLimitParams {
  currency: string;
  max_amount: bigint;
}

export interface VelocityLimitParams {
  currency: string;
  max_amount: bigint;
  window_seconds: number;
  /** null: only the amount is limited. */
  max_count: number | null;
}

export interface CurrencyAllowlistParams {
  currencies: readonly string[];
}

export interface BalanceMonitorParams {
  currency: string;
  threshold: bigint;
  when: MonitorDirection;
}

export type AmountLimitRule = { type: 'amount_limit'; params: AmountLimitParams };
export type VelocityLimitRule = { type: 'velocity_limit'; params: VelocityLimitParams };
export type CurrencyAllowlistRule = { type: 'currency_allowlist'; params: CurrencyAllowlistParams };
export type BalanceMonitorRule = { type: 'balance_monitor'; params: BalanceMonitorParams };
export type PolicyRule = AmountLimitRule | VelocityLimitRule | CurrencyAllowlistRule | BalanceMonitorRule;

export type PolicyStatus = 'active' | 'disabled';

/** What every policy has besides its rule. */
export interface PolicyHeader {
  id: string;
  name: string;
  mode: PolicyMode;
  scope: PolicyScope;
  status: PolicyStatus;
  /** 1 at creation, + 1 with each update and the disable. */
  version: number;
  created_at: string;
  updated_at: string;
  /**
   * The version since which a velocity window counts: creation, or the last update that changed
   * what the window counts (window_seconds, currency or scope). Windows of older versions read as empty.
   */
  window_version: number;
}

/** A policy as the write model holds it. Records are replaced, never mutated (see evolve). */
export type Policy = PolicyHeader & PolicyRule;
export type AmountLimitPolicy = PolicyHeader & AmountLimitRule;
export type VelocityLimitPolicy = PolicyHeader & VelocityLimitRule;
export type LimitPolicy = AmountLimitPolicy | VelocityLimitPolicy;
export type CurrencyAllowlistPolicy = PolicyHeader & CurrencyAllowlistRule;
export type BalanceMonitorPolicy = PolicyHeader & BalanceMonitorRule;

// --- Parsing and checking -------------------------------------------------------------------

/** Field paths (`params.max_amount`, `scope.currency`) and what is wrong with each: a 400's details.fields. */
export type FieldErrors = Record<string, string[]>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; fields: FieldErrors };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const PARAM_NAMES: Record<PolicyType, readonly string[]> = {
  amount_limit: ['currency', 'max_amount'],
  velocity_limit: ['currency', 'max_amount', 'window_seconds', 'max_count'],
  currency_allowlist: ['currencies'],
  balance_monitor: ['currency', 'threshold', 'when'],
};

function isPolicyType(value: unknown): value is PolicyType {
  return typeof value === 'string' && (POLICY_TYPES as readonly string[]).includes(value);
}

export function isPolicyMode(value: unknown): value is PolicyMode {
  return typeof value === 'string' && (POLICY_MODES as readonly string[]).includes(value);
}

/**
 * A policy's `type` and `params` from the wire (POST /policies, PATCH /policies/:id, where the
 * decider passes the policy's own type) into a typed rule, every limit checked. Amounts are
 * strings of digits or JSON safe integers (parseAmount); a threshold may be zero or negative;
 * window_seconds and max_count are JSON integers. Unknown params are refused, not ignored.
 */
export function parsePolicyRule(type: unknown, params: unknown): Parsed<PolicyRule> {
  if (!isPolicyType(type)) return { ok: false, fields: { type: [`must be one of ${POLICY_TYPES.join(', ')}`] } };
  if (!isPlainObject(params)) return { ok: false, fields: { params: ['must be an object'] } };
  const fields: FieldErrors = {};
  const fail = (name: string, message: string) => (fields[`params.${name}`] ??= []).push(message);
  for (const name of Object.keys(params)) {
    if (!PARAM_NAMES[type].includes(name)) fail(name, `is not a parameter of ${type}`);
  }
  const currency = (name = 'currency'): string => {
    if (!isCurrency(params[name])) fail(name, 'must be a currency code of 3-12 characters A-Z, 0-9, _');
    return params[name] as string;
  };
  const amount = (name: string): bigint => {
    const value = parseAmount(params[name]);
    if (value === null) fail(name, `must be an integer amount from 1 to ${AMOUNT_MAX} in minor units`);
    return value ?? 0n;
  };
  const integer = (name: string, max: number): number => {
    const value = params[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) fail(name, `must be an integer from 1 to ${max}`);
    return value as number;
  };
  let rule: PolicyRule;
  switch (type) {
    case 'amount_limit':
      rule = { type, params: { currency: currency(), max_amount: amount('max_amount') } };
      break;
    case 'velocity_limit':
      rule = {
        type,
        params: {
          currency: currency(),
          max_amount: amount('max_amount'),
          window_seconds: integer('window_seconds', VELOCITY_WINDOW_SECONDS_MAX),
          max_count: params.max_count === undefined || params.max_count === null ? null : integer('max_count', VELOCITY_COUNT_MAX),
        },
      };
      break;
    case 'currency_allowlist': {
      const list = params.currencies;
      const ok = Array.isArray(list) && list.length >= 1 && list.length <= ALLOWLIST_CURRENCIES_MAX && list.every(isCurrency);
      if (!ok) fail('currencies', `must be a list of 1 to ${ALLOWLIST_CURRENCIES_MAX} currency codes`);
      else if (new Set(list).size !== list.length) fail('currencies', 'must not name a currency twice');
      rule = { type, params: { currencies: ok ? [...(list as string[])] : [] } };
      break;
    }
    case 'balance_monitor': {
      const threshold = parseSignedAmount(params.threshold);
      if (threshold === null) fail('threshold', `must be an integer from -${AMOUNT_MAX} to ${AMOUNT_MAX} in minor units`);
      const when = params.when;
      if (!(MONITOR_DIRECTIONS as readonly unknown[]).includes(when)) fail('when', 'must be "below" or "above"');
      rule = { type, params: { currency: currency(), threshold: threshold ?? 0n, when: when as MonitorDirection } };
      break;
    }
    default: {
      const _exhaustive: never = type;
      throw new Error(`unknown policy type ${String(_exhaustive)}`);
    }
  }
  return Object.keys(fields).length > 0 ? { ok: false, fields } : { ok: true, value: rule };
}

/**
 * The same limits as parsePolicyRule, for a rule that arrived typed (a command built in code):
 * the decider re-checks rather than trusts. null when the rule is within every limit.
 */
export function policyRuleErrors(rule: PolicyRule): FieldErrors | null {
  const parsed = parsePolicyRule(rule.type, policyRuleData(rule).params);
  return parsed.ok ? null : parsed.fields;
}

const SCOPE_NAMES = ['account_id', 'account_type', 'currency'];

/** A scope from the wire: an object with some of account_id, account_type, currency (absent or null: {}, every account). */
export function parsePolicyScope(raw: unknown): Parsed<PolicyScope> {
  if (raw === undefined || raw === null) return { ok: true, value: {} };
  if (!isPlainObject(raw)) return { ok: false, fields: { scope: ['must be an object'] } };
  const fields: FieldErrors = {};
  const scope: PolicyScope = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!SCOPE_NAMES.includes(name)) {
      fields[`scope.${name}`] = ['is not a scope field (account_id, account_type, currency)'];
    } else if (value === undefined || value === null) {
      continue;
    } else if (name === 'currency' ? !isCurrency(value) : typeof value !== 'string' || value.length < 1 || value.length > POLICY_SCOPE_TEXT_LENGTH_MAX) {
      fields[`scope.${name}`] = [name === 'currency' ? 'must be a currency code' : `must be text of 1 to ${POLICY_SCOPE_TEXT_LENGTH_MAX} characters`];
    } else {
      scope[name as keyof PolicyScope] = value as string;
    }
  }
  return Object.keys(fields).length > 0 ? { ok: false, fields } : { ok: true, value: normalizeScope(scope) };
}

/** The scope with only the fields given, in a fixed order: no `undefined` members reach an event (or its hash). */
export function normalizeScope(scope: PolicyScope): PolicyScope {
  const normal: PolicyScope = {};
  if (scope.account_id !== undefined) normal.account_id = scope.account_id;
  if (scope.account_type !== undefined) normal.account_type = scope.account_type;
  if (scope.currency !== undefined) normal.currency = scope.currency;
  return normal;
}

export function policyNameErrors(name: unknown): FieldErrors | null {
  if (typeof name === 'string' && name.trim().length >= 1 && name.length <= POLICY_NAME_LENGTH_MAX) return null;
  return { name: [`must be text of 1 to ${POLICY_NAME_LENGTH_MAX} characters`] };
}

/**
 * Whether a rule and a scope make sense together: a scope's currency must be the limit's own
 * (a limit applies only to accounts in its currency, so anything else could never apply), and
 * an allowlist, which judges accounts not yet opened, cannot name one account.
 */
export function scopeErrors(rule: PolicyRule, scope: PolicyScope): FieldErrors | null {
  if (rule.type === 'currency_allowlist') {
    return scope.account_id === undefined ? null : { 'scope.account_id': ['a currency_allowlist applies to accounts being opened; scope it by account_type or currency'] };
  }
  if (scope.currency !== undefined && scope.currency !== rule.params.currency) {
    return { 'scope.currency': [`must equal params.currency (${rule.params.currency}) or be left out`] };
  }
  return null;
}

// --- Scope ------------------------------------------------------------------------------------

/** What a scope is matched against: an account, or one about to be opened (its id is not known yet). */
export type ScopedAccount = Pick<Account, 'id' | 'account_type' | 'currency'>;

/** Every field the scope gives must match the account. */
export function inScope(scope: PolicyScope, account: ScopedAccount): boolean {
  return (
    (scope.account_id === undefined || scope.account_id === account.id) &&
    (scope.account_type === undefined || scope.account_type === account.account_type) &&
    (scope.currency === undefined || scope.currency === account.currency)
  );
}

// --- Wire form ----------------------------------------------------------------------------------

/** The rule as events and responses carry it: money as decimal strings, max_count only when set. */
export function policyRuleData(rule: PolicyRule): PolicyRuleData {
  switch (rule.type) {
    case 'amount_limit':
      return { type: rule.type, params: { currency: rule.params.currency, max_amount: rule.params.max_amount.toString() } };
    case 'velocity_limit': {
      const p = rule.params;
      const params = { currency: p.currency, max_amount: p.max_amount.toString(), window_seconds: p.window_seconds };
      return { type: rule.type, params: p.max_count === null ? params : { ...params, max_count: p.max_count } };
    }
    case 'currency_allowlist':
      return { type: rule.type, params: { currencies: [...rule.params.currencies] } };
    case 'balance_monitor':
      return { type: rule.type, params: { currency: rule.params.currency, threshold: rule.params.threshold.toString(), when: rule.params.when } };
    default: {
      const _exhaustive: never = rule;
      throw new Error(`unknown policy type ${JSON.stringify(_exhaustive)}`);
    }
  }
}

/**
 * The typed rule of a recorded event. Not re-checked against today's limits: the log is what
 * happened, and a replay must fold it even if a limit has been tightened since.
 */
export function policyRuleFromData(data: PolicyRuleData): PolicyRule {
  switch (data.type) {
    case 'amount_limit':
      return { type: data.type, params: { currency: data.params.currency, max_amount: BigInt(data.params.max_amount) } };
    case 'velocity_limit': {
      const p = data.params;
      return { type: data.type, params: { currency: p.currency, max_amount: BigInt(p.max_amount), window_seconds: p.window_seconds, max_count: p.max_count ?? null } };
    }
    case 'currency_allowlist':
      return { type: data.type, params: { currencies: Object.freeze([...data.params.currencies]) } };
    case 'balance_monitor':
      return { type: data.type, params: { currency: data.params.currency, threshold: BigInt(data.params.threshold), when: data.params.when } };
    default: {
      const _exhaustive: never = data;
      throw new Error(`unknown policy type ${JSON.stringify(_exhaustive)}`);
    }
  }
}

// --- The index of active policies -------------------------------------------------------------

/**
 * The tenant's active policies, indexed the way decisions read them: a posting looks up the
 * limits of its accounts' currency only, so policies on other currencies cost it nothing, and a
 * tenant without policies costs one property read. Immutable: each policy event builds a new
 * index (at most POLICIES_PER_TENANT_MAX policies, and policy changes are rare), so a writer's
 * tentative state can hold a different index than the committed one without copying anything.
 * Lists keep creation order, so checks run (and refusals are chosen) in the same order on replay.
 */
export interface ActivePolicies {
  readonly all: readonly Policy[];
  /** amount_limit and velocity_limit policies by params.currency. */
  readonly limits_by_currency: ReadonlyMap<string, readonly LimitPolicy[]>;
  /** velocity_limit policies by params.currency: what evolve counts into windows. */
  readonly velocity_by_currency: ReadonlyMap<string, readonly VelocityLimitPolicy[]>;
  readonly monitors_by_currency: ReadonlyMap<string, readonly BalanceMonitorPolicy[]>;
  readonly allowlists: readonly CurrencyAllowlistPolicy[];
}

export const NO_ACTIVE_POLICIES: ActivePolicies = indexPolicies([]);

/** The index with `policy` in it (in its old place if it was there), or out of it when disabled. */
export function withPolicy(active: ActivePolicies, policy: Policy): ActivePolicies {
  const at = active.all.findIndex((p) => p.id === policy.id);
  const all = [...active.all];
  if (policy.status !== 'active') {
    if (at >= 0) all.splice(at, 1);
  } else if (at >= 0) {
    all[at] = policy;
  } else {
    all.push(policy);
  }
  return indexPolicies(all);
}

/** The index of these policies (active ones, in creation order): what a decision read, rebuilt from their versions for evidence. */
export function activePoliciesOf(policies: readonly Policy[]): ActivePolicies {
  return indexPolicies(policies.filter((p) => p.status === 'active'));
}

function indexPolicies(all: Policy[]): ActivePolicies {
  const limits = new Map<string, LimitPolicy[]>();
  const velocity = new Map<string, VelocityLimitPolicy[]>();
  const monitors = new Map<string, BalanceMonitorPolicy[]>();
  const allowlists: CurrencyAllowlistPolicy[] = [];
  const add = <P>(map: Map<string, P[]>, currency: string, policy: P) => map.set(currency, [...(map.get(currency) ?? []), policy]);
  for (const policy of all) {
    switch (policy.type) {
      case 'amount_limit':
        add(limits, policy.params.currency, policy);
        break;
      case 'velocity_limit':
        add(limits, policy.params.currency, policy);
        add(velocity, policy.params.currency, policy);
        break;
      case 'balance_monitor':
        add(monitors, policy.params.currency, policy);
        break;
      case 'currency_allowlist':
        allowlists.push(policy);
        break;
      default: {
        const _exhaustive: never = policy;
        throw new Error(`unknown policy ${JSON.stringify(_exhaustive)}`);
      }
    }
  }
  return Object.freeze({
    all: Object.freeze(all),
    limits_by_currency: limits,
    velocity_by_currency: velocity,
    monitors_by_currency: monitors,
    allowlists: Object.freeze(allowlists),
  });
}
