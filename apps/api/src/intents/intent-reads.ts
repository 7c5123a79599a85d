import { Injectable } from '@nestjs/common';
import { IntentState } from '#audit/index.js';
import { findIntent } from '#projections/intents/intents.queries.js';
import { IntentView, lastRuntimePosition } from '#projections/intents/intent-view.js';
import type { RecordedEvent } from '#event-store/index.js';
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
    const found = await findIntent(this.reads.pool, caller.tenant_id, id);
    const view = found && (await this.withControls(caller.tenant_id, found, null));
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

  /**
   * The intent with its `controlled` state naming every check the decision ran: the events keep
   * the edge's checks and the policy revision, the rest is derived as evidence derives it
   * (EvidenceService.controlsOf) from the reservation's event — `hold`, when the caller has it,
   * else read from the log at the ledgered state's position.
   */
  async withControls(tenantId: string, view: IntentView, hold: RecordedEvent | null): Promise<IntentView> {
    const ledgered = view.states.find((s) => s.state === 'ledgered');
    if (!ledgered?.position) return view;
    const event = hold ?? (await this.reads.store.readAt(BigInt(ledgered.position)));
    if (!event) return view;
    const { policy } = await this.evidence.controlsOf(tenantId, event);
    return { ...view, states: view.states.map((s) => (s.state === 'controlled' ? { ...s, policy } : s)) };
  }

  /** The observed states already recorded for a runtime intent (the trace table keeps them). */
  private async observedSoFar(tenantId: string, id: string): Promise<IntentState[]> {
    return (await this.evidence.traceOf(tenantId, id)) ?? [];
  }
}
