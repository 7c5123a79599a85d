import { AMOUNT, METADATA, nullable, page, POSITION, schema, TIME, UUID } from '../http/openapi.js';

export const ROUTE = schema('Route', {
  type: 'object',
  required: ['id', 'name', 'currency', 'corridor', 'settlement_account_id', 'priority', 'status'],
  properties: {
    id: UUID,
    name: { type: 'string', example: 'ACH primary' },
    currency: { type: 'string', example: 'USD' },
    corridor: { type: 'string', example: 'us-ach' },
    settlement_account_id: UUID,
    priority: { type: 'integer', minimum: 0, example: 100, description: 'lower first' },
    status: { type: 'string', enum: ['enabled', 'disabled'] },
    created_at: TIME,
    event: { type: 'string', nullable: true, example: 'route.created', description: "on a command's answer: the event it appended (null when it changed nothing)" },
    position: { ...POSITION, nullable: true },
  },
});

export const ROUTE_PAGE = schema('RoutePage', page(ROUTE));

export const ROUTE_EXAMPLE = {
  id: '3976dfb6-8640-4168-bf79-5350b1aa7cbc', name: 'ACH primary', currency: 'USD', corridor: 'us-ach', settlement_account_id: '96685c75-08be-4929-b76c-15bb4e1cd0db',
  priority: 100, status: 'enabled', created_at: '2026-12-05T01:52:11.000Z', event: 'route.created', position: '42',
};

export const CREATE_ROUTE_BODY: Record<string, unknown> = {
  type: 'object',
  required: ['name', 'currency', 'corridor', 'settlement_account_id'],
  properties: {
    name: { type: 'string', example: 'ACH primary' },
    currency: { type: 'string', example: 'USD' },
    corridor: { type: 'string', example: 'us-ach' },
    settlement_account_id: UUID,
    priority: { type: 'integer', minimum: 0, maximum: 1000000, default: 100 },
  },
};

const INTENT_STATE = schema('IntentState', {
  type: 'object',
  required: ['state', 'at'],
  additionalProperties: true,
  properties: {
    state: { type: 'string', enum: ['accepted', 'controlled', 'ledgered', 'routed', 'synchronized', 'evidenced', 'refused'] },
    at: TIME,
    position: POSITION,
  },
});

export const INTENT = schema('Intent', {
  type: 'object',
  required: ['id', 'status', 'scope', 'money_model', 'primitives', 'amount', 'currency', 'source_account_id', 'destination_account_id', 'corridor', 'route', 'hold_id', 'transaction_id', 'states', 'position'],
  properties: {
    id: { type: 'string', example: 'intent_042' },
    status: { type: 'string', enum: ['open', 'settled', 'canceled', 'refused'] },
    scope: { type: 'string', example: 'workspace_scope' },
    money_model: { type: 'string', enum: ['minor_units + ledger_currency'] },
    primitives: { type: 'array', items: { type: 'string', enum: ['policy', 'ledger', 'events'] } },
    amount: AMOUNT,
    currency: { type: 'string', example: 'USD' },
    source_account_id: UUID,
    destination_account_id: UUID,
    corridor: { type: 'string', example: 'us-ach' },
    expires_at: nullable(TIME),
    metadata: METADATA,
    route: { type: 'object', nullable: true, required: ['id', 'name', 'settlement_account_id'], properties: { id: UUID, name: { type: 'string' }, settlement_account_id: UUID } },
    hold_id: nullable(UUID),
    transaction_id: nullable(UUID),
    states: { type: 'array', items: INTENT_STATE },
    refusal: { type: 'object', nullable: true, additionalProperties: true, description: 'stage, code, message, details of a refused intent' },
    settlement: { type: 'object', nullable: true, additionalProperties: true },
    cancellation: { type: 'object', nullable: true, additionalProperties: true },
    created_at: TIME,
    updated_at: TIME,
    position: POSITION,
  },
});

export const INTENT_PAGE = schema('IntentPage', page(INTENT));

export const INTENT_EXAMPLE = {
  id: 'intent_042', status: 'open', scope: 'workspace_scope', money_model: 'minor_units + ledger_currency', primitives: ['policy', 'ledger', 'events'],
  amount: '125000', currency: 'USD', source_account_id: '0b0c6a4e-8f5e-4a8e-9b53-7b2a4c1e9f10', destination_account_id: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
  corridor: 'us-ach', expires_at: null, metadata: {}, route: { id: '3976dfb6-8640-4168-bf79-5350b1aa7cbc', name: 'ACH primary', settlement_account_id: '96685c75-08be-4929-b76c-15bb4e1cd0db' },
  hold_id: '4ff4c735-4ef9-44f1-87ce-185f40eb0a41', transaction_id: null,
  states: [
    { state: 'accepted', at: '2026-12-05T01:52:11.000Z', position: '50' },
    { state: 'controlled', at: '2026-12-05T01:52:11.000Z', position: '50', policy: ['tenant_scope.passed', 'role.passed'] },
    { state: 'ledgered', at: '2026-12-05T01:52:11.000Z', position: '51', hold_id: '4ff4c735-4ef9-44f1-87ce-185f40eb0a41' },
    { state: 'routed', at: '2026-12-05T01:52:11.000Z', position: '52' },
  ],
  refusal: null, settlement: null, cancellation: null, created_at: '2026-12-05T01:52:11.000Z', updated_at: '2026-12-05T01:52:11.000Z', position: '52',
};

export const CREATE_INTENT_BODY: Record<string, unknown> = {
  type: 'object',
  required: ['intent_id', 'scope', 'money_model', 'primitives', 'amount', 'currency', 'source_account_id', 'destination_account_id', 'corridor'],
  properties: {
    intent_id: { type: 'string', example: 'intent_042' },
    scope: { type: 'string', example: 'workspace_scope' },
    money_model: { type: 'string', enum: ['minor_units + ledger_currency'] },
    primitives: { type: 'array', items: { type: 'string', enum: ['policy', 'ledger', 'events'] }, example: ['policy', 'ledger', 'events'] },
    amount: AMOUNT,
    currency: { type: 'string', example: 'USD' },
    source_account_id: UUID,
    destination_account_id: UUID,
    corridor: { type: 'string', example: 'us-ach' },
    expires_at: TIME,
    metadata: METADATA,
  },
};
