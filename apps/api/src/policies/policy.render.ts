import { LedgerState, Policy, PolicyCreatedData, PolicyDisabledData, PolicyUpdatedData, policyRuleData } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';

/** A policy as the API shows it (API.md "Policies"): money as decimal strings. */
export function renderPolicy(policy: Policy) {
  return {
    id: policy.id,
    name: policy.name,
    type: policy.type,
    mode: policy.mode,
    scope: policy.scope,
    params: policyRuleData(policy).params,
    status: policy.status,
    version: policy.version,
  };
}

/**
 * The policy as a command answers it, from the event it produced: created and updated events
 * carry the whole policy; a disable carries its new version only, and the rest is the policy as
 * the writer holds it (a disabled policy never changes again, so that is the disabled one).
 */
export function renderPolicyEvent(event: RecordedEvent, state: LedgerState) {
  const position = { event: event.type, position: event.position.toString() };
  if (event.type === 'policy.disabled') {
    const d = event.data as PolicyDisabledData;
    return { ...renderPolicy(state.policies.get(d.policy_id)!), status: 'disabled', version: d.version, ...position };
  }
  const d = event.data as PolicyCreatedData | PolicyUpdatedData;
  return { id: d.policy_id, name: d.name, type: d.type, mode: d.mode, scope: d.scope, params: d.params, status: 'active', version: d.version, ...position };
}
