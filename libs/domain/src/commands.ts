import { Direction, NormalBalance } from './events.js';

export interface OpenAccount {
  type: 'open_account';
  customer: string;
  currency: string;
  account_type: string;
  normal_balance: NormalBalance;
  allow_negative: boolean;
  metadata: Record<string, unknown>;
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
}

export interface PostTransaction {
  type: 'post_transaction';
  entries: EntryInput[];
  description: string | null;
  reference: string | null;
  metadata: Record<string, unknown>;
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

export type LedgerCommand = OpenAccount | ChangeAccountStatus | PostTransaction | ReverseTransaction | PlaceHold | CaptureHold | ReleaseHold | ExpireHold;

/** Everything non-deterministic, fixed when the command is accepted. */
export interface DecisionContext {
  /** RFC 3339 time of acceptance. */
  now: string;
  /** Yields a fresh unique id each call (accounts, transactions, entries). */
  newId: () => string;
}
