import { LEDGER_EVENT_TYPES, LedgerEventType } from '#domain/index.js';
/** The event types an endpoint may subscribe to: every type of a tenant's ledger stream. */
export const PUBLIC_EVENT_TYPES = LEDGER_EVENT_TYPES;

export type PublicEventType = LedgerEventType;

export const ALL_EVENTS = '*';

export function isPublicEventType(type: unknown): type is PublicEventType {
  return typeof type === 'string' && (PUBLIC_EVENT_TYPES as readonly string[]).includes(type);
}

/** What a delivery POSTs; `id` is the event id, the receiver's deduplication key. */
export interface DeliveryPayload {
  id: string;
  type: string;
  created_at: string;
  tenant_id: string;
  data: unknown;
}

/** The exact bytes sent (and signed): fixed key order, so every attempt and replay is identical. */
export function deliveryBody(payload: DeliveryPayload): string {
  return JSON.stringify({ id: payload.id, type: payload.type, created_at: payload.created_at, tenant_id: payload.tenant_id, data: payload.data });
}
