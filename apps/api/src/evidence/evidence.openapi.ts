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

const HASH = 'a3f1c2d4e5b6978812345678901234567890abcdefabcdefabcdefabcdefabcd';
export const EVIDENCE_EXAMPLE = {
  actor: 'api_key:0b0c6a4e-8f5e-4a8e-9b53-7b2a4c1e9f10', scope: { tenant_id: '5f1c1f7e-2b8a-4c55-a0a4-93a1d5a1e0c2' }, timestamp: '2026-12-05T01:52:11.000Z',
  policy: ['tenant_scope.passed', 'role.passed'], policies: [], intent_id: null,
  ledger_entry: { event_id: '7d2b1c9a-3e4f-4a5b-8c6d-1e2f3a4b5c6d', type: 'ledger.entry.posted', position: '43', stream_revision: '3', data: {} },
  hash: HASH, prev_hash: '0'.repeat(64), signature: 'verified', signed_head: null,
  checks: { hash_matches_content: true, links_to_previous: true, chain_to_signed_head: true, signed_head_signature: true }, status: 'audit_ready',
};
export const HOLD_EVIDENCE_EXAMPLE = { ...EVIDENCE_EXAMPLE, hold: { id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', status: 'pending' }, events: [EVIDENCE_EXAMPLE] };
