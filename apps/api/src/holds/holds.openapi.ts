import { AMOUNT, dryRunOf, METADATA, nullable, page, POSITION, schema, TIME, UUID } from '../http/openapi.js';
import { TRANSACTION } from '../transactions/transactions.openapi.js';

export const HOLD = schema('Hold', {
  type: 'object',
  required: ['id', 'status', 'account_id', 'destination_account_id', 'amount', 'currency', 'expires_at', 'reference', 'created_at'],
  properties: {
    id: UUID,
    status: { type: 'string', enum: ['pending', 'captured', 'released', 'expired'] },
    account_id: UUID,
    destination_account_id: UUID,
    amount: AMOUNT,
    currency: { type: 'string', example: 'USD' },
    expires_at: nullable(TIME),
    reference: nullable({ type: 'string', example: 'order-42' }),
    description: nullable({ type: 'string' }),
    metadata: METADATA,
    created_at: TIME,
    captured_amount: AMOUNT,
    released_amount: AMOUNT,
    evidence: { type: 'object', additionalProperties: true, description: 'request id, capture transaction and entries, release reason' },
    event: { type: 'string', example: 'balance.hold.created' },
    created_position: POSITION,
    position: POSITION,
  },
});

export const HOLD_EXAMPLE = {
  id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', status: 'pending', account_id: '0b0c6a4e-8f5e-4a8e-9b53-7b2a4c1e9f10',
  destination_account_id: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a', amount: '300', currency: 'USD', expires_at: '2030-01-01T00:00:00.000Z',
  reference: 'order-42', description: null, metadata: {}, created_at: '2026-12-05T01:52:11.000Z', captured_amount: '0', released_amount: '0',
  event: 'balance.hold.created', position: '44',
};

export const HOLD_PAGE = schema('HoldPage', page(HOLD));

export const CAPTURE = schema('HoldCapture', {
  type: 'object',
  required: ['hold', 'transaction'],
  properties: { hold: HOLD, transaction: TRANSACTION },
});

export const DRY_RUN_HOLD = dryRunOf('Hold', ['status', 'amount']);
