/**
 * Deciding changes to a tenant's policies: create, update, disable. Each appends one event to
 * the tenant's stream carrying the whole policy as of its new version, so the log alone says
 * which version was in force for every later command.
 */
import { CreatePolicy, DecisionContext, DisablePolicy, UpdatePolicy } from './commands.js';
import { DomainError, domainError } from './errors.js';
import { PolicyMode, PolicyScope } from './events.js';
import {
  FieldErrors,
  POLICIES_PER_TENANT_MAX,
  Policy,
  PolicyRule,
  isPolicyMode,
  normalizeScope,
  parsePolicyRule,
  parsePolicyScope,
  policyNameErrors,
  policyRuleData,
  policyRuleErrors,
  scopeErrors,
} from './policies.js';
import { Decision } from './refusals.js';
import { LedgerState } from './state.js';

function invalidPolicy(fields: FieldErrors): DomainError {
  return domainError('invalid_policy', `invalid policy: ${Object.keys(fields).join(', ')}`, { fields });
}

/**
 * Everything about a policy's definition that is checked against limits or the tenant's state:
 * the name, the rule's limits, the mode, the scope's shape, the scope with the rule, and that a
 * scope's account exists (a policy on an unknown account could never apply; 404 like any unknown
 * account in a command).
 */
function definitionRefusal(state: LedgerState, name: string, mode: PolicyMode, scope: PolicyScope, rule: PolicyRule): DomainError | null {
  const fields: FieldErrors = {
    ...policyNameErrors(name),
    ...policyRuleErrors(rule),
    ...(isPolicyMode(mode) ? null : { mode: ['must be "enforce" or "observe"'] }),
  };
  const parsedScope = parsePolicyScope(scope);
  Object.assign(fields, parsedScope.ok ? scopeErrors(rule, scope) : parsedScope.fields);
  if (Object.keys(fields).length > 0) return invalidPolicy(fields);
  if (scope.account_id !== undefined && !state.accounts.get(scope.account_id)) {
    return domainError('not_found', `account ${scope.account_id} not found`, { account_id: scope.account_id, field: 'scope.account_id' });
  }
  return null;
}

export function createPolicy(state: LedgerState, command: CreatePolicy, ctx: DecisionContext): Decision {
  const refused = definitionRefusal(state, command.name, command.mode, command.scope, command.rule);
  if (refused) return refused;
  const active = state.active_policies.all.length;
  if (active >= POLICIES_PER_TENANT_MAX) {
    return domainError('policy_limit_reached', `a tenant may have at most ${POLICIES_PER_TENANT_MAX} active policies; disable one first`, {
      active,
      limit: POLICIES_PER_TENANT_MAX,
    });
  }
  return [
    {
      type: 'policy.created',
      data: {
        policy_id: ctx.newId(),
        name: command.name,
        mode: command.mode,
        scope: normalizeScope(command.scope),
        version: 1,
        created_at: ctx.now,
        ...policyRuleData(command.rule),
      },
    },
  ];
}

function policyNotFound(policyId: string): DomainError {
  return domainError('not_found', `policy ${policyId} not found`, { policy_id: policyId });
}

export function updatePolicy(state: LedgerState, command: UpdatePolicy, ctx: DecisionContext): Decision {
  const policy = state.policies.get(command.policy_id);
  if (!policy) return policyNotFound(command.policy_id);
  if (policy.status !== 'active') {
    return domainError('policy_disabled', `policy ${policy.id} is disabled; it cannot be changed`, { policy_id: policy.id, version: policy.version });
  }
  if (command.params === undefined && command.mode === undefined && command.scope === undefined) {
    return invalidPolicy({ body: ['give at least one of params, mode, scope'] });
  }
  let rule: PolicyRule = policy;
  if (command.params !== undefined) {
    const parsed = parsePolicyRule(policy.type, command.params);
    if (!parsed.ok) return invalidPolicy(parsed.fields);
    rule = parsed.value;
  }
  const mode = command.mode ?? policy.mode;
  const scope = command.scope ?? policy.scope;
  const refused = definitionRefusal(state, policy.name, mode, scope, rule);
  if (refused) return refused;
  return [
    {
      type: 'policy.updated',
      data: {
        policy_id: policy.id,
        name: policy.name,
        mode,
        scope: normalizeScope(scope),
        version: policy.version + 1,
        updated_at: ctx.now,
        ...policyRuleData(rule),
      },
    },
  ];
}

/** Disabling a disabled policy changes nothing and is not an error (as freezing a frozen account). */
export function disablePolicy(state: LedgerState, command: DisablePolicy, ctx: DecisionContext): Decision {
  const policy: Policy | undefined = state.policies.get(command.policy_id);
  if (!policy) return policyNotFound(command.policy_id);
  if (policy.status === 'disabled') return [];
  return [{ type: 'policy.disabled', data: { policy_id: policy.id, version: policy.version + 1, disabled_at: ctx.now } }];
}
