import { Inject, Injectable } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { Pool } from 'pg';
import { AccessAudit, IntentTrace } from '#audit/index.js';
import type { EventStore } from '#event-store/index.js';
import { CommandEnvelope, CommandOutcome, intentIdOf, WriterRegistry } from '#write-model/index.js';
import { findAccount } from '#projections/accounts/accounts.queries.js';
import { findHold } from '#projections/holds/holds.queries.js';
import { findPolicy } from '#projections/policies/policies.queries.js';
import { findRoute } from '#projections/routes/routes.queries.js';
import { findTransactionRow } from '#projections/transactions/transactions.queries.js';
import { activeTraceparent, inSpan } from '#telemetry/index.js';
import { fromDomainError } from '../http/api-error.js';
import { notePosition } from '../http/request-log.js';
import { isUuid } from '../http/pagination.js';
import { EVENT_STORE } from './injection-tokens.js';
import { ProjectionWatermark } from './projection-watermark.js';

/** What an accepted command yields: its events, whether a replay, the writer's state, the hold it left. */
export type Accepted = Omit<Extract<CommandOutcome, { kind: 'accepted' }>, 'kind'>;

/** What a command handler returns: the HTTP status and body, and whether it is a replay. */
export interface CommandResult<T = unknown> {
  status: number;
  body: T;
  replayed: boolean;
}

/** What a not_found refusal may name, and the read model that knows which tenant owns it. */
const OWNED_RESOURCES = [
  { field: 'account_id', resource: 'account', projection: 'accounts', find: findAccount },
  { field: 'hold_id', resource: 'hold', projection: 'holds', find: findHold },
  { field: 'transaction_id', resource: 'transaction', projection: 'transactions', find: findTransactionRow },
  { field: 'policy_id', resource: 'policy', projection: 'policies', find: findPolicy },
  { field: 'route_id', resource: 'route', projection: 'routes', find: findRoute },
] as const;

function commandAttributes(envelope: CommandEnvelope) {
  return {
    'ledger.tenant_id': envelope.tenant_id,
    'ledger.command': envelope.command.type,
    'ledger.request_id': envelope.metadata.request_id,
    ...(envelope.metadata.intent_id ? { 'ledger.intent_id': envelope.metadata.intent_id } : {}),
  };
}

/**
 * The command span's trace context goes into the commands' metadata, and so into their events':
 * the writer's, the projector's and the webhook dispatcher's spans join the request's trace.
 * With tracing off nothing is added.
 */
function carryTrace(envelopes: CommandEnvelope[]): void {
  const traceparent = activeTraceparent();
  if (traceparent) for (const envelope of envelopes) envelope.metadata.traceparent = traceparent;
}

/** Submits commands to the tenant's writer and turns refusals into API errors. */
@Injectable()
export class LedgerGateway {
  constructor(
    private readonly writers: WriterRegistry,
    private readonly intents: IntentTrace,
    private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly watermark: ProjectionWatermark,
    private readonly audit: AccessAudit,
  ) {}

  async submit(envelope: CommandEnvelope): Promise<Accepted> {
    return inSpan('ledger.command', { attributes: commandAttributes(envelope) }, async () => {
      carryTrace([envelope]);
      await this.accepted(envelope);
      return this.settle(envelope, await this.writers.submit(envelope));
    });
  }

  /**
   * One tenant's commands queued back to back (the batch API), each traced and refused exactly
   * as submit() does it; one settled result per command, in order.
   */
  async submitMany(tenantId: string, envelopes: CommandEnvelope[]): Promise<PromiseSettledResult<Accepted>[]> {
    const attributes = { 'ledger.tenant_id': tenantId, 'ledger.commands': envelopes.length, 'ledger.request_id': envelopes[0]?.metadata.request_id ?? '' };
    return inSpan('ledger.commands', { attributes }, async () => {
      carryTrace(envelopes);
      await Promise.all(envelopes.map((envelope) => this.accepted(envelope)));
      const outcomes = this.writers.submitMany(tenantId, envelopes);
      return Promise.allSettled(outcomes.map((outcome, i) => outcome.then((o) => this.settle(envelopes[i], o))));
    });
  }

  /** An intent's first states, before the writer sees the command. */
  private async accepted(envelope: CommandEnvelope): Promise<void> {
    const intent = tracedIntent(envelope);
    if (!intent) return;
    const at = new Date().toISOString();
    await this.intents.record(
      envelope.tenant_id,
      intent,
      { state: 'accepted', at, command: envelope.command.type, request_id: envelope.metadata.request_id },
      { state: 'controlled', at, policy: envelope.metadata.policy, actor: envelope.metadata.actor, role: envelope.metadata.role },
    );
  }

  /** Traces the outcome; a refusal becomes its API error (a foreign account's is audited). */
  private async settle(envelope: CommandEnvelope, outcome: CommandOutcome): Promise<Accepted> {
    const intent = tracedIntent(envelope);
    if (intent) await this.recordOutcome(envelope.tenant_id, intent, outcome);
    if (outcome.kind === 'rejected') {
      if (outcome.error.code === 'not_found') await this.auditIfForeign(envelope, outcome.error.details);
      throw fromDomainError(outcome.error);
    }
    notePosition(outcome.events.at(-1)?.position);
    return outcome;
  }

  private async recordOutcome(tenantId: string, intent: string, outcome: CommandOutcome): Promise<void> {
    const at = new Date().toISOString();
    if (outcome.kind === 'rejected') {
      await this.intents.record(tenantId, intent, { state: 'refused', at, stage: 'decision', code: outcome.error.code, message: outcome.error.message });
      return;
    }
    await this.intents.record(tenantId, intent, {
      state: 'ledgered',
      at,
      replayed: outcome.replayed,
      event_ids: outcome.events.map((e) => e.id),
      positions: outcome.events.map((e) => e.position.toString()),
      stream_revision: outcome.events.length ? outcome.events[outcome.events.length - 1].revision.toString() : null,
    });
  }

  /**
   * A command naming another tenant's account, hold or transaction is refused as not_found, and
   * the attempt is audited.
   */
  private async auditIfForeign(envelope: CommandEnvelope, details: Record<string, unknown>): Promise<void> {
    const owned = OWNED_RESOURCES.find((r) => isUuid(details[r.field]));
    if (!owned) return;
    const id = details[owned.field] as string;
    const lookUp = () => owned.find(this.pool, id.toLowerCase()).catch(() => null);
    let found = await lookUp();
    if (!found) {
      // The read model may not hold the other tenant's resource yet (made a moment ago): wait,
      // bounded like a read, until it holds everything the log has now, and look again. Only
      // refusals of resources not found pay this, and only while the model is behind.
      const head = await this.store.headPosition().catch(() => null);
      if (head !== null && (await this.watermark.waitFor(envelope.tenant_id, [owned.projection], head))) found = await lookUp();
    }
    if (found && found.tenant_id !== envelope.tenant_id) {
      await this.audit.denied(
        { actor: envelope.metadata.actor, tenant_id: envelope.tenant_id, role: envelope.metadata.role },
        envelope.command.type,
        `${owned.resource}:${id}`,
        'cross_tenant',
        envelope.metadata.request_id,
      );
    }
  }
}

/**
 * The intent a command's trace is kept under: the intent id it carries, unless the command is
 * one of the runtime's own intent commands (create, settle, cancel), whose states are events.
 */
function tracedIntent(envelope: CommandEnvelope): string | null {
  return intentIdOf(envelope.command) === undefined && !envelope.dry_run ? envelope.metadata.intent_id : null;
}

/**
 * What a command answers: `status` with `body`, unless it was a dry run: then 200
 * `{"dry_run": true, ...body}` with no log position (nothing was appended).
 */
export function answered(accepted: Accepted, status: number, body: object): CommandResult {
  if (accepted.dry_run) return { status: 200, body: { dry_run: true, ...body, position: null }, replayed: false };
  return { status, body, replayed: accepted.replayed };
}

export function send<T>(reply: FastifyReply, result: CommandResult<T>): T {
  void reply.status(result.status);
  if (result.replayed) void reply.header('Idempotent-Replayed', 'true');
  return result.body;
}
