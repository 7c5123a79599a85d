import { Injectable } from '@nestjs/common';
import { IntentState } from '#audit/index.js';
import { findIntent } from '#projections/intents/intents.queries.js';
import { foldIntentView, IntentView, lastRuntimePosition } from '#projections/intents/intent-view.js';
import { canLookUp, ledgerStream, type RecordedEvent } from '#event-store/index.js';
import { LEDGER_LOOKUPS } from '#write-model/index.js';
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
    if (found) return this.withObserved(caller.tenant_id, await this.withControls(caller.tenant_id, found, null));
    const states = await this.evidence.intentPath(caller.tenant_id, id);
    if (!states) throw ApiError.notFound('intent', id);
    return { id, states };
  }

  /**
   * A settled or canceled intent as GET /intents/:id shows it once the read model has the
   * command's events (read-your-writes, bounded like every read). Should the read model not get
   * there in time (a projector in another process running behind), the command has happened all
   * the same: the intent is then folded from its own events in the log (found by `intent_id`, the
   * writer's own index) up to the command's last event, without the observed states it has not
   * reached (synchronized), rather than answering 503 for a command that took effect.
   */
  async afterCommand(caller: TenantPrincipal, id: string, last: RecordedEvent) {
    try {
      return await this.get(caller, id, last.position.toString());
    } catch (error) {
      const store = this.reads.store;
      if (!(error instanceof ApiError && error.status === 503) || !canLookUp(store)) throw error;
      let view: IntentView | null = null;
      for (const event of await store.findInStream(ledgerStream(caller.tenant_id), LEDGER_LOOKUPS.intent_id, [id], last.revision)) view = foldIntentView(view, event);
      if (!view) throw error;
      return this.withObserved(caller.tenant_id, await this.withControls(caller.tenant_id, view, null));
    }
  }

  /** The view followed by its observed states (synchronized, evidenced) once they are true. */
  private async withObserved(tenantId: string, view: IntentView) {
    const last = lastRuntimePosition(view);
    if (last === null) return view;
    const observed = await this.evidence.observe(tenantId, view.id, await this.observedSoFar(tenantId, view.id), BigInt(last));
    return { ...view, states: [...view.states, ...observed] };
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
