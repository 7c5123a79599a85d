export const ROLES = ['admin', 'service', 'operator', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const TENANT_STATUSES = ['active', 'suspended'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

export type Principal =
  | { kind: 'platform_admin' }
  | { kind: 'api_key'; key_id: string; tenant_id: string; role: Role; tenant_status: TenantStatus };

/** Actor label recorded in events and the audit log. */
export function actorOf(principal: Principal): string {
  return principal.kind === 'platform_admin' ? 'platform_admin' : `key:${principal.key_id}`;
}
