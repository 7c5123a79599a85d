import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { EventStore } from '../../../../libs/event-store/src/index.js';
import { actorOf } from '../../../../libs/tenancy/src/index.js';
import { auditStream } from '../../../../libs/write-model/src/index.js';
import { ACCESS_DENIED, AccessDeniedData } from '../../../../projections/audit-log/audit-log.projection.js';
import { TenantPrincipal } from '../http/request-context.js';

export interface Who {
  actor: string;
  tenant_id: string;
  role: string;
}

export function who(principal: TenantPrincipal): Who {
  return { actor: actorOf(principal), tenant_id: principal.tenant_id, role: principal.role };
}

/** Appends every denied attempt (wrong role, another tenant's resource) to audit-<tenant>. */
export class AccessAudit {
  private readonly logger = new Logger('AccessAudit');

  constructor(
    private readonly store: EventStore,
    private readonly onWritten: (tenantId: string, position: bigint) => void,
  ) {}

  async denied(who: Who, action: string, resource: string | null, reason: string, requestId: string): Promise<void> {
    const data: AccessDeniedData = {
      actor: who.actor,
      tenant_id: who.tenant_id,
      role: who.role,
      action,
      resource,
      reason,
      request_id: requestId,
      timestamp: new Date().toISOString(),
    };
    try {
      const result = await this.store.append(
        auditStream(who.tenant_id),
        [{ id: randomUUID(), type: ACCESS_DENIED, data, metadata: { tenant_id: who.tenant_id, actor: data.actor, role: data.role } }],
        'any',
      );
      this.onWritten(who.tenant_id, result.positions[0]);
    } catch (error) {
      // The caller still gets its 403/404; the failure to record is loud in the logs.
      this.logger.error(`could not record denied access: ${(error as Error).message}`);
    }
  }
}
