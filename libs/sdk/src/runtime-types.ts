/**
 * The runtime's intents and routes, typed by hand from ../shared/API.md ("Intents and routes"):
 * the server does not document them in its OpenAPI yet. Once it does, these become aliases of
 * the generated `components['schemas']` like every other resource's types.
 */
export type IntentState = 'accepted' | 'controlled' | 'ledgered' | 'routed' | 'synchronized' | 'evidenced' | 'refused';

export interface IntentCreate {
  intent_id: string;
  scope: string;
  money_model: string;
  primitives: string[];
  amount: string;
  currency: string;
  source_account_id: string;
  destination_account_id: string;
  corridor: string;
  expires_at?: string;
  metadata?: Record<string, unknown>;
}

export interface Intent {
  id: string;
  status: string;
  scope: string;
  money_model: string;
  primitives: string[];
  amount: string;
  currency: string;
  source_account_id: string;
  destination_account_id: string;
  corridor: string;
  route: { id: string; name: string; settlement_account_id: string } | null;
  hold_id: string | null;
  transaction_id: string | null;
  states: { state: IntentState; at: string; [detail: string]: unknown }[];
  position: string;
}

export type IntentList = { status?: string };

export interface RouteCreate {
  name: string;
  currency: string;
  corridor: string;
  settlement_account_id: string;
  /** Lower first; default 100. */
  priority?: number;
}

export interface Route extends RouteCreate {
  id: string;
  status: 'enabled' | 'disabled';
}
