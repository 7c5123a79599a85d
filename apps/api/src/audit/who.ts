import { actorOf, Principal } from '#tenancy/index.js';
import type { Who } from '#audit/index.js';

/** Who is acting in which tenant; the platform admin acts in the tenant it manages. */
export function who(principal: Principal, tenantId?: string): Who {
  if (principal.kind === 'platform_admin') return { actor: actorOf(principal), tenant_id: tenantId ?? '', role: 'platform_admin' };
  return { actor: actorOf(principal), tenant_id: principal.tenant_id, role: principal.role };
}
