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

export const POLICY_EXAMPLE = {
  id: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b', name: 'max 1,000.00 USD per payment', type: 'amount_limit', mode: 'enforce', scope: {},
  params: { currency: 'USD', max_amount: '100000' }, status: 'active', version: 1, event: 'policy.created', position: '45',
};
