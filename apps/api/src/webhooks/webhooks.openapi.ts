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
    id: { type: 'string' },
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

export const REPLAYED = schema('WebhookReplay', { type: 'object', additionalProperties: true, description: 'what was queued again' });
