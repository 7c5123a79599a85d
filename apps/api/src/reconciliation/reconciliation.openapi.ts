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

export const RUN_EXAMPLE = {
  id: '3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f', tenant_id: '5f1c1f7e-2b8a-4c55-a0a4-93a1d5a1e0c2', status: 'balanced', checked_position: '420', stream_revision: '57',
  chain_head: 'a3f1c2d4e5b6978812345678901234567890abcdefabcdefabcdefabcdefabcd', accounts_checked: 12, mismatches: [], started_at: '2026-12-05T01:52:11.000Z', duration_ms: 14,
};

export const STATEMENT_EXAMPLE = {
  id: '4d2e3f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a', account_id: '0b0c6a4e-8f5e-4a8e-9b53-7b2a4c1e9f10',
  summary: { matched: 1, unmatched: 0, ambiguous: 0, unreconciled: 0, invalid: 0 },
  lines: [{ line: 1, external_id: 'x1', status: 'matched', entry_ids: ['6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b'] }], next_cursor: null, unreconciled_entry_ids: [],
};
