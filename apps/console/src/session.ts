import { Zentra } from '@zentra/sdk';

/** The key lives in this tab's sessionStorage only: never in a URL, localStorage or a cookie. */
const KEY_STORAGE_NAME = 'zentra.console.api_key';
/** A console request that takes longer than this is shown as failed (the SDK retries within it). */
export const REQUEST_TIMEOUT_MS = 15_000;

export type Role = 'admin' | 'service' | 'operator' | 'auditor';

/** What each role may do, as the API's route guards decide it (the controllers' @Allow decorators). */
const ALLOWED: Record<string, Role[]> = {
  freeze_account: ['admin', 'service', 'operator'],
  release_hold: ['admin', 'service', 'operator'],
  capture_hold: ['admin', 'service'],
  reverse_transaction: ['admin', 'service'],
  settle_intent: ['admin', 'service'],
  read_webhooks: ['admin', 'operator', 'auditor'],
  replay_webhook_delivery: ['admin', 'operator'],
  read_audit_log: ['admin', 'auditor'],
  read_evidence: ['admin', 'auditor'],
  reconcile: ['admin', 'auditor', 'operator'],
  change_policy: ['admin'],
};
export type Action = keyof typeof ALLOWED;

export interface Session {
  zentra: Zentra;
  role: Role;
  tenantId: string;
  keyId: string;
  can(action: Action): boolean;
}

function client(apiKey: string): Zentra {
  return new Zentra({ apiKey, baseUrl: window.location.origin, timeoutMs: REQUEST_TIMEOUT_MS });
}

/** Asks the API who the key is; a bad key throws the SDK's ZentraError (401). */
export async function signIn(apiKey: string): Promise<Session> {
  const zentra = client(apiKey);
  const me = await zentra.apiKeys.me();
  sessionStorage.setItem(KEY_STORAGE_NAME, apiKey);
  const role = me.role as Role;
  return { zentra, role, tenantId: me.tenant_id, keyId: me.id, can: (action) => ALLOWED[action]?.includes(role) ?? false };
}

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE_NAME);
}

export function signOut(): void {
  sessionStorage.removeItem(KEY_STORAGE_NAME);
}
