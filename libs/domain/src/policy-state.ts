/**
 * How policy events and money going out change the write model (called by evolve): the policy
 * records, the index of active ones, and the velocity windows. Records are replaced, never
 * mutated, like accounts (see evolve).
 */
import { LedgerEvent, PolicyCreatedData, PolicyDisabledData, PolicyScope, PolicyUpdatedData } from './events.js';
import { outflowsOf } from './outflows.js';
import { ActivePolicies, Policy, PolicyRule, inScope, normalizeScope, policyRuleFromData, withPolicy } from './policies.js';
import type { KeyValue, LedgerState } from './state.js';
import { logTimeMillis } from './time.js';
import { AccountWindows, VelocityWindow, windowWithDebit } from './velocity-window.js';

function policyMaps(state: LedgerState): { policies: KeyValue<Policy>; windows: KeyValue<AccountWindows> } {
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
 * none in the event's currencies; otherwise one lookup and one replacement per account debited,
 * however many limits count it (AccountWindows).
 */
export function countVelocity(state: LedgerState, event: LedgerEvent): void {
  const byCurrency = state.active_policies.velocity_by_currency;
  if (byCurrency === undefined || byCurrency.size === 0) return;
  const outflows = outflowsOf(event, byCurrency);
  if (outflows === null) return;
  const at = logTimeMillis(event.type === 'balance.hold.created' ? event.data.created_at : event.type === 'ledger.entry.posted' ? event.data.posted_at : '');
  const { windows } = policyMaps(state);
  for (const outflow of outflows) {
    const account = state.accounts.get(outflow.account_id);
    if (!account) continue;
    const before = windows.get(account.id);
    let policyIds = before?.policy_ids ?? NO_POLICY_IDS;
    let after: VelocityWindow[] | null = null;
    // The last debit made here: limits whose windows count the same thing (the same window, at the
    // same window version and length) get the same new window, one object, not one each.
    let lastFrom: VelocityWindow | undefined;
    let lastVersion = -1;
    let lastSeconds = -1;
    let lastWindow: VelocityWindow | null = null;
    for (const policy of byCurrency.get(outflow.currency)!) {
      if (!inScope(policy.scope, account)) continue;
      after ??= before === undefined ? [] : before.windows.slice();
      const index = policyIds.indexOf(policy.id);
      const from = index < 0 ? undefined : before!.windows[index];
      const { window_version: version } = policy;
      const seconds = policy.params.window_seconds;
      // windowWithDebit is a pure function of these: the same arguments give the same window.
      const same = lastWindow !== null && lastFrom === from && lastVersion === version && lastSeconds === seconds;
      const window: VelocityWindow = same ? lastWindow! : windowWithDebit(from, version, seconds, at, outflow.amount, 1);
      lastFrom = from;
      lastVersion = version;
      lastSeconds = seconds;
      lastWindow = window;
      if (index >= 0) {
        after[index] = window;
      } else {
        policyIds = [...policyIds, policy.id];
        after.push(window);
      }
    }
    if (after !== null) windows.set(account.id, { policy_ids: policyIds, windows: after });
  }
}

const NO_POLICY_IDS: readonly string[] = Object.freeze([]);
