import { AMOUNT, nullable, page, POSITION, schema, TIME, UUID } from '../http/openapi.js';

const SIDE = { type: 'object', required: ['debits', 'credits', 'balanced'], properties: { debits: AMOUNT, credits: AMOUNT, balanced: { type: 'boolean' } } };

export const TRIAL_BALANCE = schema('TrialBalance', {
  type: 'object',
  required: ['data', 'balanced'],
  properties: {
    data: { type: 'array', items: { type: 'object', required: ['currency', 'posted', 'pending'], properties: { currency: { type: 'string', example: 'USD' }, posted: SIDE, pending: SIDE } } },
    balanced: { type: 'boolean' },
  },
});

export const RUN = schema('ReconciliationRun', {
  type: 'object',
  required: ['id', 'status'],
  properties: {
    id: UUID,
    tenant_id: UUID,
    status: { type: 'string', example: 'balanced', description: 'balanced | mismatched, or running while under way' },
    checked_position: POSITION,
    stream_revision: { type: 'string' },
    chain_head: nullable({ type: 'string' }),
    state_hash: { type: 'string' },
    accounts_checked: { type: 'integer' },
    mismatches: { type: 'array', items: { type: 'object', additionalProperties: true, properties: { account_id: UUID } } },
    trial_balance: { type: 'array', items: { type: 'object', additionalProperties: true } },
    started_at: TIME,
    duration_ms: { type: 'number' },
    triggered_by: { type: 'string' },
  },
});

export const RUN_PAGE = schema('ReconciliationRunPage', page(RUN));

export const STATEMENT = schema('Statement', {
  type: 'object',
  required: ['account_id', 'summary'],
  properties: {
    id: UUID,
    statement_id: UUID,
    account_id: UUID,
    summary: {
      type: 'object',
      properties: { matched: { type: 'integer' }, unmatched: { type: 'integer' }, ambiguous: { type: 'integer' }, unreconciled: { type: 'integer' }, invalid: { type: 'integer' } },
    },
    lines: {},
    next_cursor: nullable({ type: 'string' }),
    unreconciled_entry_ids: { type: 'array', items: UUID },
  },
});
