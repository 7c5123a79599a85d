import { nullable, page, schema, TIME, UUID } from '../http/openapi.js';

const ROLE = { type: 'string', enum: ['admin', 'service', 'operator', 'auditor'] };
const SECRET_KEY = { type: 'string', description: 'the key itself: shown once, never again', example: 'zl_3hX9...' };

export const TENANT = schema('Tenant', {
  type: 'object',
  required: ['id', 'name', 'status'],
  properties: { id: UUID, name: { type: 'string', example: 'acme' }, status: { type: 'string', enum: ['active', 'suspended'] }, created_at: TIME },
});

export const CREATED_TENANT = schema('CreatedTenant', {
  type: 'object',
  required: ['id', 'name', 'api_key'],
  properties: {
    id: UUID,
    name: { type: 'string', example: 'acme' },
    status: { type: 'string', enum: ['active', 'suspended'] },
    created_at: TIME,
    api_key: { type: 'object', required: ['id', 'key', 'role'], properties: { id: UUID, key: SECRET_KEY, role: ROLE } },
  },
});

export const CREATED_KEY = schema('CreatedApiKey', {
  type: 'object',
  required: ['id', 'key', 'role'],
  properties: { id: UUID, key: SECRET_KEY, role: ROLE, name: nullable({ type: 'string' }), expires_at: nullable(TIME) },
});

export const API_KEY = schema('ApiKey', {
  type: 'object',
  required: ['id', 'role', 'prefix', 'created_at'],
  properties: {
    id: UUID,
    name: nullable({ type: 'string', example: 'payments service' }),
    role: ROLE,
    prefix: { type: 'string', description: 'the first 8 characters of the key', example: 'zl_3hX9a' },
    created_at: TIME,
    created_by: nullable({ type: 'string' }),
    last_used_at: nullable(TIME),
    expires_at: nullable(TIME),
    revoked_at: nullable(TIME),
  },
});

/** The calling key as GET /api-keys/me answers it: enough for a client (the console) to offer only what its role may do. */
export const CALLER_KEY = schema('CallerKey', {
  type: 'object',
  required: ['id', 'role', 'tenant_id'],
  properties: { id: UUID, role: ROLE, tenant_id: UUID },
});

export const API_KEY_PAGE = schema('ApiKeyPage', page(API_KEY));
