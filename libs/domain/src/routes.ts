import { Account } from './account.js';
import { ChangeRouteStatus, CreateRoute, DecisionContext } from './commands.js';
import { DomainError, domainError } from './errors.js';
import { LedgerEvent, RouteStatus } from './events.js';
import { accountNotFound, Decision, notActive } from './refusals.js';
import type { LedgerState } from './state.js';

/**
 * Routes: where an intent's money settles. A route says that money of `currency` moving through
 * `corridor` (a tenant's own label: "us-ach", "eu-sepa", "card") passes through
 * `settlement_account_id`. An intent takes the first enabled route for its (currency, corridor)
 * by priority, lower first, the earlier created on a tie.
 */

/** Routes a tenant may have, enabled or not: the write model keeps them all and scans them per intent. */
export const ROUTES_PER_TENANT_MAX = 1_000;
/** Priorities run 0..this (the API's default is 100). */
export const ROUTE_PRIORITY_MAX = 1_000_000;

export interface Route {
  id: string;
  name: string;
  currency: string;
  corridor: string;
  settlement_account_id: string;
  priority: number;
  status: RouteStatus;
  created_at: string;
}

export function createRoute(state: LedgerState, command: CreateRoute, ctx: DecisionContext): Decision {
  if (state.routes.length >= ROUTES_PER_TENANT_MAX) {
    return domainError('route_limit_reached', `a tenant may have at most ${ROUTES_PER_TENANT_MAX} routes`, { routes_max: ROUTES_PER_TENANT_MAX });
  }
  const settlement = state.accounts.get(command.settlement_account_id);
  if (!settlement) return accountNotFound(command.settlement_account_id, { field: 'settlement_account_id' });
  const unusable = unusableSettlement(settlement, command.currency);
  if (unusable) return unusable;
  return [
    {
      type: 'route.created',
      data: {
        route_id: ctx.newId(),
        name: command.name,
        currency: command.currency,
        corridor: command.corridor,
        settlement_account_id: settlement.id,
        priority: command.priority,
        created_at: ctx.now,
      },
    },
  ];
}

/**
 * A settlement account takes the money in (a credit) and passes it on (a debit) within one
 * posting, so the funds rule must allow the credit first: a credit-normal account, or one allowed
 * to go negative. Checked when the route is made: an account's currency, normal balance and
 * allow_negative never change afterwards.
 */
function unusableSettlement(account: Account, currency: string): DomainError | null {
  const inactive = notActive(account, { field: 'settlement_account_id' });
  if (inactive) return inactive;
  if (account.currency !== currency) {
    return domainError('invalid_route', `settlement account ${account.id} is in ${account.currency}, the route is for ${currency}`, {
      settlement_account_id: account.id,
      account_currency: account.currency,
      currency,
    });
  }
  if (account.normal_balance === 'debit' && !account.allow_negative) {
    return domainError('invalid_route', `settlement account ${account.id} is debit-normal and may not go negative: it could not take a settlement's credit`, {
      settlement_account_id: account.id,
      normal_balance: account.normal_balance,
      allow_negative: account.allow_negative,
    });
  }
  return null;
}

const ROUTE_TRANSITIONS: Record<ChangeRouteStatus['action'], RouteStatus> = { enable: 'enabled', disable: 'disabled' };

export function changeRouteStatus(state: LedgerState, command: ChangeRouteStatus, ctx: DecisionContext): Decision {
  const route = state.routes.find((r) => r.id === command.route_id);
  if (!route) return domainError('not_found', `route ${command.route_id} not found`, { route_id: command.route_id });
  const to = ROUTE_TRANSITIONS[command.action];
  // Asking for the state the route is already in changes nothing and is not an error.
  if (route.status === to) return [];
  return [{ type: 'route.status_changed', data: { route_id: route.id, from: route.status, to, changed_at: ctx.now } }];
}

/** The route an intent of (currency, corridor) takes now: the first enabled by priority, then by creation. */
export function routeFor(state: LedgerState, currency: string, corridor: string): Route | null {
  let best: Route | null = null;
  for (const route of state.routes) {
    if (route.status !== 'enabled' || route.currency !== currency || route.corridor !== corridor) continue;
    // state.routes is in creation order, so a strict < keeps the earlier route on a tie.
    if (best === null || route.priority < best.priority) best = route;
  }
  return best;
}

/** evolve's part for route events: the list is replaced, never changed in place (a writer's overlay shares it). */
export function foldRoute(state: LedgerState, event: LedgerEvent): void {
  if (event.type === 'route.created') {
    const d = event.data;
    state.routes = [
      ...state.routes,
      { id: d.route_id, name: d.name, currency: d.currency, corridor: d.corridor, settlement_account_id: d.settlement_account_id, priority: d.priority, status: 'enabled', created_at: d.created_at },
    ];
  } else if (event.type === 'route.status_changed') {
    const d = event.data;
    state.routes = state.routes.map((r) => (r.id === d.route_id ? { ...r, status: d.to } : r));
  }
}
