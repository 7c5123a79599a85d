import { Injectable } from '@nestjs/common';
import { IntentState } from '#audit/index.js';
import { findIntent } from '#projections/intents/intents.queries.js';
import { lastRuntimePosition } from '#projections/intents/intent-view.js';
import { ApiError } from '../http/api-error.js';
import { TenantPrincipal } from '../http/request-context.js';
import { Reads } from '../runtime/reads.js';
import { EvidenceService } from '../evidence/evidence.service.js';

/**
 * GET /intents/:id: a runtime intent (POST /intents) as its read model shows it, followed by its
 * observed states, synchronized and evidenced, once they are true; else the trace of commands
 * that carried the intent id (API.md: they keep their trace as before).
 */
@Injectable()
export class IntentReads {
  constructor(
    private readonly reads: Reads,
    private readonly evidence: EvidenceService,
  ) {}

  async get(caller: TenantPrincipal, id: string, minPosition: unknown = undefined) {
    await this.reads.settle(caller, ['intents'], minPosition);
    const view = await findIntent(this.reads.pool, caller.tenant_id, id);
    if (view) {
      const last = lastRuntimePosition(view);
      if (last === null) return view;
      const observed = await this.evidence.observe(caller.tenant_id, id, await this.observedSoFar(caller.tenant_id, id), BigInt(last));
      return { ...view, states: [...view.states, ...observed] };
    }
    const states = await this.evidence.intentPath(caller.tenant_id, id);
    if (!states) throw ApiError.notFound('intent', id);
    return { id, states };
  }

  /** The observed states already recorded for a runtime intent (the trace table keeps them). */
  private async observedSoFar(tenantId: string, id: string): Promise<IntentState[]> {
    return (await this.evidence.traceOf(tenantId, id)) ?? [];
  }
}
