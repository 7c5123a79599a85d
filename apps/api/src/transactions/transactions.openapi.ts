import { ENTRY } from '../accounts/accounts.openapi.js';
import { dryRunOf, ERROR_ENVELOPE, METADATA, nullable, page, POSITION, schema, TIME, UUID } from '../http/openapi.js';

export const TRANSACTION = schema('Transaction', {
  type: 'object',
  required: ['id', 'status', 'entries', 'posted_at', 'position'],
  properties: {
    id: UUID,
    status: { type: 'string', enum: ['posted', 'reversed'] },
    hold_id: nullable(UUID),
    reverses: nullable(UUID),
    reversed_by: nullable(UUID),
    entries: { type: 'array', items: ENTRY },
    description: nullable({ type: 'string' }),
    reference: nullable({ type: 'string' }),
    metadata: METADATA,
    posted_at: TIME,
    event: { type: 'string', example: 'ledger.entry.posted' },
    position: POSITION,
  },
});

export const TRANSACTION_EXAMPLE = {
  id: '7d2b1c9a-3e4f-4a5b-8c6d-1e2f3a4b5c6d', status: 'posted', hold_id: null, reverses: null, reversed_by: null,
  entries: [], description: 'top-up', reference: null, metadata: {}, posted_at: '2026-12-05T01:52:11.000Z', event: 'ledger.entry.posted', position: '43',
};

export const BATCH_RESULTS = schema('TransactionBatchResults', {
  type: 'object',
  required: ['results'],
  properties: {
    results: {
      type: 'array',
      description: 'one per posting, in request order',
      items: {
        type: 'object',
        required: ['status', 'body'],
        properties: { status: { type: 'integer', example: 201 }, body: { oneOf: [TRANSACTION, ERROR_ENVELOPE] } },
      },
    },
  },
});

export const BATCH_BODY = {
  type: 'object',
  required: ['transactions'],
  properties: {
    transactions: {
      type: 'array',
      maxItems: 8190,
      description: 'each item is a POST /transactions body plus its own idempotency_key',
      items: { $ref: '#/components/schemas/PostTransactionDto' },
    },
  },
};

export const TRANSACTION_PAGE = schema('TransactionPage', page(TRANSACTION));
export const DRY_RUN_TRANSACTION = dryRunOf('Transaction', ['status', 'entries']);
