import { randomUUID } from 'node:crypto';
import { auditStream, EventStore } from '#event-store/index.js';

/** The event an access denial is recorded as, in the tenant's audit-<tenant> stream. */
export const ACCESS_DENIED = 'access.denied';
/**
 * The event an allowed administrative action (keys, tenant status, webhook endpoints, statement
 * imports) is recorded as, in the same stream: they change no money, so the ledger has no event of them.
 */
export const ADMIN_ACTION = 'admin.action';

export interface AccessDeniedData {
  actor: string;
  tenant_id: string;
  role: string;
  action: string;
  resource: string | null;
  reason: string;
  request_id: string;
  timestamp: string;
}

/** An allowed administrative action: who did what to which resource. */
export type AdminActionData = Omit<AccessDeniedData, 'reason'>;

/** Who acted, as the audit log names them. */
export interface Who {
  actor: string;
  tenant_id: string;
  role: string;
}

/** Appends denied attempts (wrong role, another tenant's resource) and allowed administrative actions to audit-<tenant>. */
export class AccessAudit {
  constructor(
    private readonly store: EventStore,
    private readonly onWritten: (tenantId: string, position: bigint) => void,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  async denied(who: Who, action: string, resource: string | null, reason: string, requestId: string): Promise<void> {
    const data: AccessDeniedData = { ...this.what(who, action, resource, requestId), reason };
    try {
      await this.append(who, ACCESS_DENIED, data);
    } catch (error) {
      // The caller still gets its 403/404; the failure to record is loud in the logs.
      this.log(`could not record denied access: ${(error as Error).message}`);
    }
  }

  /**
   * An administrative action that succeeded. Unlike a denial, a failure to record it fails the
   * request (503): an admin action nobody can see afterwards is what this log exists to prevent.
   */
  async allowed(who: Who, action: string, resource: string | null, requestId: string): Promise<void> {
    await this.append(who, ADMIN_ACTION, this.what(who, action, resource, requestId));
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
