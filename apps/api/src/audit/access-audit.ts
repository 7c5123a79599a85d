import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { EventStore } from '../../../../libs/event-store/src/index.js';
import { actorOf, Principal } from '../../../../libs/tenancy/src/index.js';
import { auditStream } from '../../../../libs/write-model/src/index.js';
import { ACCESS_DENIED, AccessDeniedData, ADMIN_ACTION, AdminActionData } from '../../../../projections/audit-log/audit-log.projection.js';

export interface Who {
  actor: string;
  tenant_id: string;
  role: string;
}

/** Who is acting in which tenant; the platform admin acts in the tenant it manages. */
export function who(principal: Principal, tenantId?: string): Who {
  if (principal.kind === 'platform_admin') return { actor: actorOf(principal), tenant_id: tenantId ?? '', role: 'platform_admin' };
  return { actor: actorOf(principal), tenant_id: principal.tenant_id, role: principal.role };
}

/** Appends denied attempts (wrong role, another tenant's resource) and allowed administrative actions to audit-<tenant>. */
export class AccessAudit {
  private readonly logger = new Logger('AccessAudit');

  constructor(
    private readonly store: EventStore,
    private readonly onWritten: (tenantId: string, position: bigint) => void,
  ) {}

  async denied(who: Who, action: string, resource: string | null, reason: string, requestId: string): Promise<void> {
    const data: AccessDeniedData = { ...this.what(who, action, resource, requestId), reason };
    try {
      await this.append(who, ACCESS_DENIED, data);
    } catch (error) {
      // The caller still gets its 403/404; the failure to record is loud in the logs.
      this.logger.error(`could not record denied access: ${(error as Error).message}`);
    }
  }

  /**
   * An administrative action that succeeded. Unlike a denial, a failure to record it fails the
   * request (503): an admin action nobody can see afterwards is what this log exists to prevent.
   */
  async allowed(who: Who, action: string, resource: string | null, requestId: string): Promise<void> {
    const data: AdminActionData = this.what(who, action, resource, requestId);
    await this.append(who, ADMIN_ACTION, data);
  }

  private what(who: Who, action: string, resource: string | null, requestId: string): AdminActionData {
    return { actor: who.actor, tenant_id: who.tenant_id, role: who.role, action, resource, request_id: requestId, timestamp: new Date().toISOString() };
  }

  private async append(who: Who, type: string, data: AdminActionData): Promise<void> {
    const result = await this.store.append(
      auditStream(who.tenant_id),
      [{ id: randomUUID(), type, data, metadata: { tenant_id: who.tenant_id, actor: data.actor, role: data.role } }],
      'any',
    );
    this.onWritten(who.tenant_id, result.positions[0]);
  }
}
