import { AMOUNT, METADATA, page, POSITION, schema, SIGNED_AMOUNT, TIME, UUID, nullable } from '../http/openapi.js';

/** The response bodies of /accounts, as clients (and libs/sdk's generated types) see them. */
export const BALANCES = schema('Balances', {
  type: 'object',
  required: ['posted', 'pending_debits', 'pending_credits', 'available'],
  properties: { posted: SIGNED_AMOUNT, pending_debits: AMOUNT, pending_credits: AMOUNT, available: SIGNED_AMOUNT },
});

export const ACCOUNT = schema('Account', {
  type: 'object',
  required: ['id', 'tenant_id', 'customer', 'currency', 'account_type', 'normal_balance', 'allow_negative', 'status', 'metadata', 'created_at', 'balances'],
  properties: {
    id: UUID,
    tenant_id: UUID,
    customer: { type: 'string', example: 'customer_ref' },
    currency: { type: 'string', example: 'USD' },
    account_type: { type: 'string', example: 'operating' },
    normal_balance: { type: 'string', enum: ['credit', 'debit'] },
    allow_negative: { type: 'boolean' },
    status: { type: 'string', enum: ['active', 'frozen', 'closed'] },
    metadata: METADATA,
    created_at: TIME,
    balances: BALANCES,
    lock_version: { type: 'integer', minimum: 0, description: '+1 for every event that changes the balances; entries may expect it (expected_lock_version)', example: 3 },
    path: { type: 'string', nullable: true, description: "the account's place in the tenant's tree (segments joined by ':')", example: 'merchants:acme:settlement' },
    event: { type: 'string', nullable: true, description: "on a command's answer: the event it appended (null when it changed nothing)", example: 'account.created' },
    position: { ...POSITION, nullable: true, description: "on a command's answer: where its event is in the log (null when it changed nothing)" },
    created_position: POSITION,
  },
});

export const ACCOUNT_EXAMPLE = {
  id: '0b0c6a4e-8f5e-4a8e-9b53-7b2a4c1e9f10', tenant_id: '5f1c1f7e-2b8a-4c55-a0a4-93a1d5a1e0c2', customer: 'customer_ref', currency: 'USD',
  account_type: 'operating', normal_balance: 'credit', allow_negative: false, status: 'active', metadata: {}, created_at: '2026-12-05T01:52:11.000Z',
  balances: { posted: '0', pending_debits: '0', pending_credits: '0', available: '0' }, event: 'account.created', position: '42',
};

export const ENTRY = schema('Entry', {
  type: 'object',
  required: ['id', 'transaction_id', 'account_id', 'direction', 'amount', 'currency'],
  properties: {
    id: UUID,
    transaction_id: UUID,
    account_id: UUID,
    direction: { type: 'string', enum: ['debit', 'credit'] },
    amount: AMOUNT,
    currency: { type: 'string', example: 'USD' },
    status: { type: 'string', example: 'posted' },
    balance_after: { type: 'object', properties: { posted: SIGNED_AMOUNT, available: SIGNED_AMOUNT } },
    posted_at: TIME,
    position: POSITION,
  },
});

export const ENTRY_PAGE = schema('EntryPage', page(ENTRY));
export const ACCOUNT_PAGE = schema('AccountPage', page(ACCOUNT));

export const POINT_IN_TIME_BALANCES = schema('PointInTimeBalances', {
  type: 'object',
  required: ['account_id', 'balances'],
  properties: { account_id: UUID, as_of: TIME, as_of_position: POSITION, effective_as_of: TIME, balances: BALANCES, position: nullable(POSITION) },
});

export const PATH_ROLLUP = schema('PathRollup', {
  type: 'object',
  required: ['path_prefix', 'currency', 'accounts', 'balances'],
  properties: {
    path_prefix: { type: 'string', example: 'merchants:acme' },
    currency: { type: 'string', example: 'USD' },
    as_of: TIME,
    accounts: { type: 'integer', minimum: 0, description: 'accounts at or under the prefix in this currency', example: 2 },
    balances: BALANCES,
  },
});
