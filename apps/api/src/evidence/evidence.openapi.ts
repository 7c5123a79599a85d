import { nullable, POSITION, schema, TIME, UUID } from '../http/openapi.js';

export const EVIDENCE = schema('Evidence', {
  type: 'object',
  required: ['actor', 'scope', 'timestamp', 'policy', 'intent_id', 'ledger_entry', 'hash', 'prev_hash', 'signature', 'status'],
  properties: {
    actor: { type: 'string' },
    scope: { type: 'object', required: ['tenant_id'], properties: { tenant_id: UUID } },
    timestamp: TIME,
    policy: { type: 'array', items: { type: 'string', example: 'tenant_scope.passed' } },
    policies: { type: 'array', items: { type: 'object', additionalProperties: true } },
    intent_id: nullable({ type: 'string' }),
    ledger_entry: { type: 'object', required: ['event_id', 'type', 'position'], properties: { event_id: UUID, type: { type: 'string' }, position: POSITION, stream_revision: POSITION, data: { type: 'object', additionalProperties: true } } },
    hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    prev_hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    signature: { type: 'string', enum: ['verified', 'failed'] },
    signed_head: nullable({ type: 'object', additionalProperties: true }),
    checks: { type: 'object', additionalProperties: { type: 'boolean' } },
    status: { type: 'string', enum: ['audit_ready', 'verification_failed'] },
  },
});

export const HOLD_EVIDENCE = schema('HoldEvidence', {
  allOf: [EVIDENCE, { type: 'object', required: ['hold', 'events'], properties: { hold: { type: 'object', additionalProperties: true }, events: { type: 'array', items: EVIDENCE } } }],
});

export const PUBLIC_KEY = schema('TenantPublicKey', {
  type: 'object',
  required: ['tenant_id', 'algorithm', 'public_key'],
  properties: { tenant_id: UUID, algorithm: { type: 'string', enum: ['ed25519'] }, public_key: nullable({ type: 'string', description: 'PEM' }) },
});

export const CHAIN_HEAD = schema('ChainHead', {
  type: 'object',
  required: ['tenant_id', 'stream_revision', 'hash'],
  properties: { tenant_id: UUID, stream_revision: nullable(POSITION), position: POSITION, hash: nullable({ type: 'string' }), signature: { type: 'string' }, signed_at: TIME },
});

export const INTENT_TRACE = schema('IntentTrace', {
  type: 'object',
  required: ['id', 'states'],
  properties: {
    id: { type: 'string', example: 'intent_042' },
    states: {
      type: 'array',
      items: { type: 'object', required: ['state', 'at'], additionalProperties: true, properties: { state: { type: 'string', example: 'ledgered' }, at: TIME } },
    },
  },
});
