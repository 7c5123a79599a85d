import { LEDGER_EVENT_TYPES } from '#domain/index.js';
import { deliveryBody, isPublicEventType } from './webhook-events.js';

describe('isPublicEventType', () => {
  it('knows the seventeen types of a ledger stream and nothing else', () => {
    expect(['account.created', 'account.status_changed', 'balance.hold.created', 'ledger.entry.posted', 'ledger.entry.reversed', 'balance.released'].every(isPublicEventType)).toBe(true);
    expect(['policy.created', 'policy.updated', 'policy.disabled', 'balance.monitor.triggered'].every(isPublicEventType)).toBe(true);
    expect(['route.created', 'route.status_changed', 'intent.accepted', 'intent.routed', 'intent.refused', 'intent.settled', 'intent.canceled'].every(isPublicEventType)).toBe(true);
    expect(isPublicEventType('*')).toBe(false);
    expect(isPublicEventType('access.denied')).toBe(false);
    expect(LEDGER_EVENT_TYPES.every(isPublicEventType)).toBe(true);
    expect(LEDGER_EVENT_TYPES).toHaveLength(17);
  });
});

describe('deliveryBody', () => {
  it('has a fixed key order whatever order the payload was stored in', () => {
    const stored = { data: { amount: '5' }, tenant_id: 't', created_at: '2026-01-01T00:00:00.000Z', type: 'ledger.entry.posted', id: 'e' };
    expect(deliveryBody(stored)).toBe('{"id":"e","type":"ledger.entry.posted","created_at":"2026-01-01T00:00:00.000Z","tenant_id":"t","data":{"amount":"5"}}');
  });
});
