/**
 * How policy events and money going out change the write model (called by evolve): the policy
 * records, the index of active ones, and the velocity windows. Records are replaced, never
 * mutated, like accounts (see evolve).
 */
import { LedgerEvent, PolicyCreatedData, PolicyDisabledData, PolicyScope, PolicyUpdatedData } from './events.js';
import { outflowsOf } from './outflows.js';
import { ActivePolicies, Policy, PolicyRule, VelocityLimitPolicy, inScope, normalizeScope, policyRuleFromData, withPolicy } from './policies.js';
import type { KeyValue, LedgerState } from './state.js';
import { VelocityWindow, windowWithDebit } from './velocity-window.js';

/** The key of one velocity window: policy ids and account ids are ids, which never hold a `/`. */
export function velocityWindowKey(policyId: string, accountId: string): string {
  return `${policyId}/${accountId}`;
}

/**
 * Each velocity limit's window keys by account id, made once. A key made afresh is a new string
 * that every map lookup must flatten and hash again, and a posting looks each window up twice
 * per limit (deciding reads it, evolve replaces it); a remembered key has its hash cached.
 * Keyed weakly by the policy record, so the keys go with the version that made them; at most one
 * key per window the state holds. A memo only: the key is velocityWindowKey's either way.
 */
const WINDOW_KEYS = new WeakMap<VelocityLimitPolicy, Map<string, string>>();

export function policyWindowKey(policy: VelocityLimitPolicy, accountId: string): string {
  let keys = WINDOW_KEYS.get(policy);
  if (keys === undefined) WINDOW_KEYS.set(policy, (keys = new Map()));
  let key = keys.get(accountId);
  if (key === undefined) keys.set(accountId, (key = velocityWindowKey(policy.id, accountId)));
  return key;
}

function policyMaps(state: LedgerState): { policies: KeyValue<Policy>; windows: KeyValue<VelocityWindow> } {
  return { policies: state.policies, windows: state.velocity_windows };
}

function activePolicies(state: LedgerState): ActivePolicies {
  return state.active_policies;
}

export function foldPolicyCreated(state: LedgerState, d: PolicyCreatedData): void {
  const policy: Policy = {
    id: d.policy_id,
    name: d.name,
    mode: d.mode,
    scope: normalizeScope(d.scope),
    status: 'active',
    version: d.version,
    created_at: d.created_at,
    updated_at: d.created_at,
    window_version: d.version,
    ...policyRuleFromData(d),
  };
  policyMaps(state).policies.set(policy.id, policy);
  state.active_policies = withPolicy(activePolicies(state), policy);
}

export function foldPolicyUpdated(state: LedgerState, d: PolicyUpdatedData): void {
  const { policies } = policyMaps(state);
  const old = policies.get(d.policy_id);
  if (!old) return;
  const rule = policyRuleFromData(d);
  const scope = normalizeScope(d.scope);
  const policy: Policy = {
    ...old,
    name: d.name,
    mode: d.mode,
    scope,
    version: d.version,
    updated_at: d.updated_at,
    window_version: windowChanged(old, rule, scope) ? d.version : old.window_version,
    ...rule,
  };
  policies.set(policy.id, policy);
  state.active_policies = withPolicy(activePolicies(state), policy);
}

/**
 * A velocity window counts what its policy version says to count. A new limit (max_amount,
 * max_count) or mode judges the same window; a new window length, currency or scope counts
 * something else, so the window starts empty again at that version, as at creation (history
 * from before is not counted, which keeps the window a fold of the log since then).
 */
function windowChanged(old: Policy, rule: PolicyRule, scope: PolicyScope): boolean {
  if (old.type !== 'velocity_limit' || rule.type !== 'velocity_limit') return false;
  return (
    old.params.window_seconds !== rule.params.window_seconds ||
    old.params.currency !== rule.params.currency ||
    old.scope.account_id !== scope.account_id ||
    old.scope.account_type !== scope.account_type ||
    old.scope.currency !== scope.currency
  );
}

export function foldPolicyDisabled(state: LedgerState, d: PolicyDisabledData): void {
  const { policies } = policyMaps(state);
  const old = policies.get(d.policy_id);
  if (!old) return;
  const policy: Policy = { ...old, status: 'disabled', version: d.version, updated_at: d.disabled_at };
  policies.set(policy.id, policy);
  state.active_policies = withPolicy(activePolicies(state), policy);
}

/**
 * Counts a posting's or hold's money out into the windows of the active velocity limits whose
 * scope holds the account, at the event's own time (the command's accepted time). Costs one
 * property read when the tenant has no velocity limit, and one map lookup per entry when it has
 * none in the event's currencies.
 */
export function countVelocity(state: LedgerState, event: LedgerEvent): void {
  const byCurrency = state.active_policies.velocity_by_currency;
  if (byCurrency === undefined || byCurrency.size === 0) return;
  const outflows = outflowsOf(event, byCurrency);
  if (outflows === null) return;
  const at = Date.parse(event.type === 'balance.hold.created' ? event.data.created_at : event.type === 'ledger.entry.posted' ? event.data.posted_at : '');
  const { windows } = policyMaps(state);
  for (const outflow of outflows) {
    const account = state.accounts.get(outflow.account_id);
    if (!account) continue;
    for (const policy of byCurrency.get(outflow.currency)!) {
      if (!inScope(policy.scope, account)) continue;
      const key = policyWindowKey(policy, account.id);
      windows.set(key, windowWithDebit(windows.get(key), policy.window_version, policy.params.window_seconds, at, outflow.amount, 1));
    }
  }
}
