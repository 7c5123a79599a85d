import { CommandEnvelope } from '../command-envelope.js';

/** The metadata of a test's commands: an admin with no request of note, no intent, no policy checks. */
export const TEST_METADATA = { actor: 'test', role: 'admin', request_id: 'r', intent_id: null, policy: [] };

/** A credit-normal USD account that may go negative: the account most writer tests open. */
export const OPEN_ACCOUNT = { type: 'open_account' as const, customer: 'c', currency: 'USD', account_type: 'x', normal_balance: 'credit' as const, allow_negative: true, metadata: {} };

/** A command as the API hands it to a writer; with a key, its request hash is derived from the key. */
export function testEnvelope(tenantId: string, command: CommandEnvelope['command'], key: string | null = null): CommandEnvelope {
  return { tenant_id: tenantId, command, idempotency_key: key, request_hash: key ? `hash-${key}` : null, metadata: TEST_METADATA };
}
