import { nullable, page, schema, TIME, UUID } from '../http/openapi.js';

export const ENDPOINT = schema('WebhookEndpoint', {
  type: 'object',
  required: ['id', 'url', 'events', 'status'],
  properties: {
    id: UUID,
    url: { type: 'string', example: 'https://example.org/zentra' },
    events: { type: 'array', items: { type: 'string', example: '*' } },
    status: { type: 'string', enum: ['enabled', 'disabled', 'deleted'] },
    description: nullable({ type: 'string' }),
    created_at: TIME,
    previous_secret_expires_at: nullable(TIME),
    secret: { type: 'string', description: 'on create and rotate only: the signing secret' },
  },
});

export const ENDPOINT_PAGE = schema('WebhookEndpointPage', page(ENDPOINT));

export const DELIVERY = schema('WebhookDelivery', {
  type: 'object',
  required: ['id', 'endpoint_id', 'event_id', 'event_type', 'status', 'attempts', 'next_attempt_at'],
  properties: {
    id: UUID,
    endpoint_id: UUID,
    event_id: UUID,
    event_type: { type: 'string', example: 'ledger.entry.posted' },
    status: { type: 'string', enum: ['pending', 'retrying', 'delivered', 'failed'] },
    attempts: {
      type: 'array',
      items: { type: 'object', required: ['at', 'duration_ms'], properties: { at: TIME, status_code: { type: 'integer' }, error: { type: 'string' }, duration_ms: { type: 'number' } } },
    },
    next_attempt_at: nullable(TIME),
    created_at: TIME,
    delivered_at: nullable(TIME),
    payload: { type: 'object', additionalProperties: true },
  },
});

export const DELIVERY_PAGE = schema('WebhookDeliveryPage', page(DELIVERY));

export const REPLAYED = schema('WebhookReplay', { type: 'object', required: ['replayed'], properties: { replayed: { type: 'integer', description: 'failed deliveries queued again', example: 3 } } });

export const ENDPOINT_EXAMPLE = {
  id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', url: 'https://example.org/zentra', events: ['*'], status: 'enabled', description: null,
  created_at: '2026-12-05T01:52:11.000Z', previous_secret_expires_at: null,
};
export const DELIVERY_EXAMPLE = {
  id: '8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d', endpoint_id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', event_id: '7d2b1c9a-3e4f-4a5b-8c6d-1e2f3a4b5c6d',
  event_type: 'ledger.entry.posted', status: 'delivered', attempts: [{ at: '2026-12-05T01:52:12.000Z', status_code: 200, duration_ms: 12 }],
  next_attempt_at: null, created_at: '2026-12-05T01:52:11.000Z', delivered_at: '2026-12-05T01:52:12.000Z',
};
