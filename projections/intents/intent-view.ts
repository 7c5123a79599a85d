import {
  HoldCreatedData,
  IntentAcceptedData,
  IntentCanceledData,
  IntentRefusedData,
  IntentRoutedData,
  IntentSettledData,
  IntentStatus,
} from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';
import { occurredAt } from '#projection-runtime/index.js';

/** A state an intent reached, with the time and the log position (or the evidence) it rests on. */
export interface IntentStateView {
  state: 'accepted' | 'controlled' | 'ledgered' | 'routed' | 'synchronized' | 'evidenced' | 'refused';
  at: string;
  position?: string;
  [detail: string]: unknown;
}

/** An intent as the API shows it (API.md "Intents and routes"), without the observed states. */
export interface IntentView {
  id: string;
  status: IntentStatus;
  scope: string;
  money_model: string;
  primitives: string[];
  amount: string;
  currency: string;
  source_account_id: string;
  destination_account_id: string;
  corridor: string;
  expires_at: string | null;
  metadata: Record<string, unknown>;
  route: { id: string; name: string; settlement_account_id: string } | null;
  hold_id: string | null;
  transaction_id: string | null;
  states: IntentStateView[];
  refusal: { stage: string; code: string; message: string; details: Record<string, unknown> } | null;
  settlement: { at: string; position: string; transaction_id: string } | null;
  cancellation: { at: string; position: string; reason: string; note: string | null } | null;
  created_at: string;
  updated_at: string;
  /** The position of the intent's latest event. */
  position: string;
}

/** The event types that change an intent's view (a hold only when it is an intent's). */
export function intentIdOfEvent(event: RecordedEvent): string | null {
  switch (event.type) {
    case 'intent.accepted':
    case 'intent.routed':
    case 'intent.refused':
    case 'intent.settled':
    case 'intent.canceled':
      return (event.data as { intent_id: string }).intent_id;
    case 'balance.hold.created':
      return (event.data as HoldCreatedData).intent_id ?? null;
    default:
      return null;
  }
}

/**
 * Folds one of an intent's events into its view: the projection keeps views so, and a command's
 * answer folds its own events the same way (one piece of code says what an intent looks like).
 * The `controlled` state is known once the next stage is (the hold, or a refusal after it): the
 * decision ran the controls, and its events carry the checks that ran (metadata.policy).
 */
export function foldIntentView(view: IntentView | null, event: RecordedEvent): IntentView | null {
  const position = event.position.toString();
  const at = occurredAt(event);
  const controlled = (): IntentStateView => ({ state: 'controlled', at, position: view!.states[0].position, policy: (event.metadata.policy as string[] | undefined) ?? [] });
  const next = (change: Partial<IntentView>, ...states: IntentStateView[]): IntentView => ({ ...view!, ...change, states: [...view!.states, ...states], updated_at: at, position });
  switch (event.type) {
    case 'intent.accepted': {
      const d = event.data as IntentAcceptedData;
      return {
        id: d.intent_id,
        status: 'open',
        scope: d.scope,
        money_model: d.money_model,
        primitives: d.primitives,
        amount: d.amount,
        currency: d.currency,
        source_account_id: d.source_account_id,
        destination_account_id: d.destination_account_id,
        corridor: d.corridor,
        expires_at: d.expires_at,
        metadata: d.metadata,
        route: null,
        hold_id: null,
        transaction_id: null,
        states: [{ state: 'accepted', at, position, actor: event.metadata.actor ?? null, request_id: event.metadata.request_id ?? null }],
        refusal: null,
        settlement: null,
        cancellation: null,
        created_at: at,
        updated_at: at,
        position,
      };
    }
    case 'balance.hold.created': {
      if (!view) return null;
      const d = event.data as HoldCreatedData;
      return next({ hold_id: d.hold_id }, controlled(), { state: 'ledgered', at, position, hold_id: d.hold_id });
    }
    case 'intent.routed': {
      if (!view) return null;
      const d = event.data as IntentRoutedData;
      const route = { id: d.route_id, name: d.route_name, settlement_account_id: d.settlement_account_id };
      return next({ route }, { state: 'routed', at, position, route });
    }
    case 'intent.refused': {
      if (!view) return null;
      const d = event.data as IntentRefusedData;
      // Refused at ledgered: the controls passed (no hold was placed to say so).
      const before = d.stage === 'ledgered' ? [controlled()] : [];
      const refusal = { stage: d.stage, code: d.code, message: d.message, details: d.details };
      return next({ status: 'refused', refusal }, ...before, { state: 'refused', at, position, stage: d.stage, code: d.code, message: d.message });
    }
    case 'intent.settled': {
      if (!view) return null;
      const d = event.data as IntentSettledData;
      return next({ status: 'settled', transaction_id: d.transaction_id, settlement: { at, position, transaction_id: d.transaction_id } });
    }
    case 'intent.canceled': {
      if (!view) return null;
      const d = event.data as IntentCanceledData;
      return next({ status: 'canceled', cancellation: { at, position, reason: d.reason, note: d.note } });
    }
    default:
      return view;
  }
}

/** Where the runtime's own states end (routed, or the refusal): what synchronized and evidenced must cover. */
export function lastRuntimePosition(view: IntentView): string | null {
  const last = view.states[view.states.length - 1];
  return last.state === 'routed' ? (last.position ?? null) : null;
}
