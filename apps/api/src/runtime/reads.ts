import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { AccessAudit } from '#audit/index.js';
import type { LedgerConfig } from '#database/index.js';
import type { EventStore } from '#event-store/index.js';
import { who } from '../audit/who.js';
import { ApiError } from '../http/api-error.js';
import { decodeCursor, pageOf, parseLimit, parsePosition } from '../http/pagination.js';
import { LedgerRequest, TenantPrincipal } from '../http/request-context.js';
import { EVENT_STORE, LEDGER_CONFIG } from './injection-tokens.js';
import { ProjectionWatermark } from './projection-watermark.js';

/** The two things every query does first: wait for its projections, and stay inside the tenant. */
@Injectable()
export class Reads {
  constructor(
    // Public, as before the runtime was split: the query classes read through them.
    readonly pool: Pool,
    @Inject(EVENT_STORE) readonly store: EventStore,
    @Inject(LEDGER_CONFIG) readonly config: LedgerConfig,
    private readonly watermark: ProjectionWatermark,
    private readonly audit: AccessAudit,
  ) {}

  /** Read-your-writes: bounded wait until the projections reach the caller's last write or `min_position`. */
  async settle(caller: TenantPrincipal, projections: readonly string[], minPosition?: unknown): Promise<void> {
    const min = parsePosition(minPosition, 'min_position');
    if (min !== null && (await this.pastTheHead(min))) {
      throw ApiError.validation("min_position is past the log's head", { min_position: ['must be a position of the log: one a write answered with'] });
    }
    const reached = await this.watermark.waitFor(caller.tenant_id, projections, min);
    if (!reached) {
      throw new ApiError(503, 'unavailable', 'read models have not caught up with your last write yet; retry shortly', { projections });
    }
  }

  /**
   * A position no projection will ever reach (until the log grows that far): waiting for it would
   * end in a 503 that no retry could cure. The head is where readers may safely read up to, which
   * stays below an append still in flight; an event already committed past it is found by
   * position, so a position a write answered with is never refused.
   */
  private async pastTheHead(position: bigint): Promise<boolean> {
    if (position <= (await this.store.headPosition())) return false;
    return (await this.store.readAt(position)) === null;
  }

  /**
   * One page of a list: its `limit` and `cursor` parsed, its read models waited for (as settle),
   * then `fetch` asked for one row more than the page (after the cursor's position, or from the
   * start), and the page cut from them with the cursor of its last row.
   */
  async page<T, V>(
    caller: TenantPrincipal,
    query: Record<string, unknown>,
    projections: readonly string[],
    fetch: (after: bigint | null, rows: number) => Promise<T[]>,
    cursorOf: (last: T) => (string | number | bigint)[],
    view: (row: T) => V,
  ) {
    const limit = parseLimit(query.limit);
    const cursor = decodeCursor(query.cursor, 1);
    await this.settle(caller, projections, query.min_position);
    return pageOf(await fetch(cursor ? BigInt(cursor[0]) : null, limit + 1), limit, cursorOf, view);
  }

  /**
   * A resource of another tenant answers exactly like a missing one; the attempt is audited.
   */
  async ownedOrNotFound<T>(
    caller: TenantPrincipal,
    request: LedgerRequest,
    found: { view: T; tenant_id: string } | null,
    resource: string,
    id: string,
    action: string,
  ): Promise<T> {
    if (found && found.tenant_id === caller.tenant_id) return found.view;
    if (found) await this.audit.denied(who(caller), action, `${resource}:${id}`, 'cross_tenant', String(request.id));
    throw ApiError.notFound(resource, id);
  }
}
