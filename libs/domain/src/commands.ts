import { Direction, NormalBalance, PolicyMode, PolicyScope } from './events.js';
import { PolicyRule } from './policies.js';

export interface OpenAccount {
  type: 'open_account';
  customer: string;
  currency: string;
  account_type: string;
  normal_balance: NormalBalance;
  allow_negative: boolean;
  metadata: Record<string, unknown>;
  /** Optional place in the tenant's account tree (paths.ts), unique per tenant. */
  path?: string | null;
}

export type AccountStatusAction = 'freeze' | 'unfreeze' | 'close';

export interface ChangeAccountStatus {
  type: 'change_account_status';
  account_id: string;
  action: AccountStatusAction;
}

export interface EntryInput {
  account_id: string;
  direction: Direction;
  amount: bigint;
  /** Optional: when given it must equal the account's currency. */
  currency?: string;
  /** Optional: when given it must equal the account's lock_version (else lock_version_mismatch). */
  expected_lock_version?: number;
}

export interface PostTransaction {
  type: 'post_transaction';
  entries: EntryInput[];
  description: string | null;
  reference: string | null;
  metadata: Record<string, unknown>;
  /** RFC 3339 (canonical): when the posting takes effect, if not when it is posted; never in the future nor before an account was opened. */
  effective_at?: string | null;
}

export interface PlaceHold {
  type: 'place_hold';
  account_id: string;
  destination_account_id: string;
  amount: bigint;
  /** RFC 3339; null: the hold never expires by itself. */
  expires_at: string | null;
  reference: string | null;
  description: string | null;
  metadata: Record<string, unknown>;
}

export interface CaptureHold {
  type: 'capture_hold';
  hold_id: string;
  /** null: the full held amount. */
  amount: bigint | null;
}

export interface ReleaseHold {
  type: 'release_hold';
  hold_id: string;
  note: string | null;
}

/** Sent by the expiry sweep; decided against the command's accepted time. */
export interface ExpireHold {
  type: 'expire_hold';
  hold_id: string;
}

export interface ReverseTransaction {
  type: 'reverse_transaction';
  transaction_id: string;
  reason: string | null;
}

/** POST /policies: the edge parses `type` and `params` with parsePolicyRule and `scope` with parsePolicyScope. */
export interface CreatePolicy {
  type: 'create_policy';
  name: string;
  /** The API's default is enforce. */
  mode: PolicyMode;
  /** {}: every account of the tenant. */
  scope: PolicyScope;
  rule: PolicyRule;
}

/**
 * PATCH /policies/:id: what is given replaces what the policy had. `params` are passed as they
 * came over the wire: only the decider knows the policy's type (it is in the log), so it parses
 * them (parsePolicyRule) against that type; bad params are refused as `invalid_policy` with
 * details.fields, as a 400 would name them.
 */
export interface UpdatePolicy {
  type: 'update_policy';
  policy_id: string;
  mode?: PolicyMode;
  scope?: PolicyScope;
  params?: unknown;
}

export interface DisablePolicy {
  type: 'disable_policy';
  policy_id: string;
}

/** POST /routes (admin). */
export interface CreateRoute {
  type: 'create_route';
  name: string;
  currency: string;
  corridor: string;
  settlement_account_id: string;
  priority: number;
}

export interface ChangeRouteStatus {
  type: 'change_route_status';
  route_id: string;
  action: 'enable' | 'disable';
}

/**
 * POST /intents: one money movement driven through the runtime. The edge has checked the
 * contract's shape (money_model, primitives); the decision reserves, controls and routes it.
 */
export interface CreateIntent {
  type: 'create_intent';
  intent_id: string;
  scope: string;
  money_model: string;
  primitives: string[];
  amount: bigint;
  currency: string;
  source_account_id: string;
  destination_account_id: string;
  corridor: string;
  /** RFC 3339; null: the intent stays open until settled or canceled. */
  expires_at: string | null;
  metadata: Record<string, unknown>;
}

export interface SettleIntent {
  type: 'settle_intent';
  intent_id: string;
}

export interface CancelIntent {
  type: 'cancel_intent';
  intent_id: string;
  note: string | null;
}

export type LedgerCommand =
  | OpenAccount
  | ChangeAccountStatus
  | PostTransaction
  | ReverseTransaction
  | PlaceHold
  | CaptureHold
  | ReleaseHold
  | ExpireHold
  | CreatePolicy
  | UpdatePolicy
  | DisablePolicy
  | CreateRoute
  | ChangeRouteStatus
  | CreateIntent
  | SettleIntent
  | CancelIntent;

/** Everything non-deterministic, fixed when the command is accepted. */
export interface DecisionContext {
  /** RFC 3339 time of acceptance. */
  now: string;
  /** Yields a fresh unique id each call (accounts, transactions, entries). */
  newId: () => string;
}
