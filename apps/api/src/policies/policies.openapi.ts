import { page, POSITION, schema, TIME, UUID } from '../http/openapi.js';

export const POLICY = schema('Policy', {
  type: 'object',
  required: ['id', 'name', 'type', 'mode', 'scope', 'params', 'status', 'version'],
  properties: {
    id: UUID,
    name: { type: 'string', example: 'max 1,000.00 USD per payment' },
    type: { type: 'string', enum: ['amount_limit', 'velocity_limit', 'currency_allowlist', 'balance_monitor'] },
    mode: { type: 'string', enum: ['enforce', 'observe'] },
    scope: { type: 'object', additionalProperties: true },
    params: { type: 'object', additionalProperties: true, example: { currency: 'USD', max_amount: '100000' } },
    status: { type: 'string', enum: ['active', 'disabled'] },
    version: { type: 'integer', example: 1 },
    created_at: TIME,
    updated_at: TIME,
    event: { type: 'string', nullable: true, example: 'policy.created', description: "on a command's answer: the event it appended (null when it changed nothing)" },
    position: { ...POSITION, nullable: true },
    created_position: POSITION,
  },
});

export const POLICY_PAGE = schema('PolicyPage', page(POLICY));
