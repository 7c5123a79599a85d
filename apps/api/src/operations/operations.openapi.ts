import { schema } from '../http/openapi.js';

export const HEALTH = schema('Health', {
  type: 'object',
  required: ['status', 'projection_lag'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'unavailable'] },
    projection_lag: { type: 'object', additionalProperties: true, description: 'events behind the log, per read model' },
    projector: { type: 'string', enum: ['in_process', 'external'] },
    clock: { type: 'object', additionalProperties: true },
    chain_heads: { type: 'object', additionalProperties: true },
  },
});
