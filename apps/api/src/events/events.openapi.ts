import { POSITION, schema, TIME, UUID } from '../http/openapi.js';

export const EVENT = schema('Event', {
  type: 'object',
  required: ['id', 'type', 'position', 'occurred_at', 'data'],
  properties: { id: UUID, type: { type: 'string', example: 'ledger.entry.posted' }, position: POSITION, occurred_at: TIME, data: { type: 'object', additionalProperties: true } },
});

export const EVENT_PAGE = schema('EventPage', {
  type: 'object',
  required: ['data', 'next_after'],
  properties: { data: { type: 'array', items: EVENT }, next_after: { ...POSITION, description: 'pass as after for the next page' } },
});
