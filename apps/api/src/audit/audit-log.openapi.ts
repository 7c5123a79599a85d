import { nullable, page, POSITION, schema, TIME } from '../http/openapi.js';

export const AUDIT_ENTRY = schema('AuditEntry', {
  type: 'object',
  required: ['id', 'actor', 'tenant_id', 'role', 'action', 'resource', 'outcome', 'timestamp'],
  properties: {
    id: { type: 'string' },
    actor: { type: 'string', example: 'api_key:0b0c6a4e-8f5e-4a8e-9b53-7b2a4c1e9f10' },
    tenant_id: { type: 'string' },
    role: { type: 'string', example: 'service' },
    action: { type: 'string', example: 'post_transaction' },
    resource: nullable({ type: 'string' }),
    outcome: { type: 'string', enum: ['allowed', 'denied'] },
    reason: nullable({ type: 'string' }),
    request_id: nullable({ type: 'string' }),
    timestamp: TIME,
    position: POSITION,
  },
});

export const AUDIT_PAGE = schema('AuditEntryPage', page(AUDIT_ENTRY));
