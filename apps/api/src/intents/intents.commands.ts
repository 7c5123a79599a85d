import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { IntentRefusedData, Route, RouteCreatedData, RouteStatusChangedData } from '#domain/index.js';
import { CommandEnvelope } from '#write-model/index.js';
import { foldIntentView, IntentView } from '#projections/intents/intent-view.js';
import { RecordedEvent } from '#event-store/index.js';
import { TenantPrincipal } from '../http/request-context.js';
import { CommandResult, LedgerGateway } from '../runtime/ledger-gateway.js';
import { IntentReads } from './intent-reads.js';

export class CreateRouteCommand {
  constructor(readonly envelope: CommandEnvelope) {}
}

export class ChangeRouteStatusCommand {
  constructor(readonly envelope: CommandEnvelope, readonly routeId: string) {}
}

export class CreateIntentCommand {
  constructor(readonly envelope: CommandEnvelope) {}
}

/** Settle or cancel: answered with the intent as GET /intents/:id shows it. */
export class ResolveIntentCommand {
  constructor(readonly envelope: CommandEnvelope, readonly intentId: string, readonly caller: TenantPrincipal) {}
}

/** A route as the API shows it (API.md "Intents and routes"). */
export function renderRoute(route: Route, event?: RecordedEvent) {
  return {
    id: route.id,
    name: route.name,
    currency: route.currency,
    corridor: route.corridor,
    settlement_account_id: route.settlement_account_id,
    priority: route.priority,
    status: route.status,
    created_at: route.created_at,
    ...(event && { event: event.type, position: event.position.toString() }),
  };
}

@CommandHandler(CreateRouteCommand)
export class CreateRouteHandler implements ICommandHandler<CreateRouteCommand, CommandResult> {
  constructor(private readonly gateway: LedgerGateway) {}

  async execute({ envelope }: CreateRouteCommand): Promise<CommandResult> {
    const { events, replayed, state } = await this.gateway.submit(envelope);
    const d = events[0].data as RouteCreatedData;
    return { status: 201, body: renderRoute(state.routes.find((r) => r.id === d.route_id)!, events[0]), replayed };
  }
}

@CommandHandler(ChangeRouteStatusCommand)
export class ChangeRouteStatusHandler implements ICommandHandler<ChangeRouteStatusCommand, CommandResult> {
  constructor(private readonly gateway: LedgerGateway) {}

  /** Routes are few and never forgotten by the writer: its state has the route as the command left it. */
  async execute({ envelope, routeId }: ChangeRouteStatusCommand): Promise<CommandResult> {
    const { events, replayed, state } = await this.gateway.submit(envelope);
    const route = state.routes.find((r) => r.id === routeId)!;
    const changed = events.find((e) => e.type === 'route.status_changed' && (e.data as RouteStatusChangedData).route_id === routeId);
    return { status: 200, body: renderRoute(route, changed), replayed };
  }
}

/**
 * POST /intents: 201 with the intent its events show; an intent refused at a stage is recorded
 * and answered with the refusal's error (422 policy_violation, insufficient_funds or no_route),
 * now and on every repeat of the same request.
 */
@CommandHandler(CreateIntentCommand)
export class CreateIntentHandler implements ICommandHandler<CreateIntentCommand, CommandResult> {
  constructor(
    private readonly gateway: LedgerGateway,
    private readonly intents: IntentReads,
  ) {}

  async execute({ envelope }: CreateIntentCommand): Promise<CommandResult> {
    const { events, replayed } = await this.gateway.submit(envelope);
    let view: IntentView | null = null;
    for (const event of events) view = foldIntentView(view, event);
    if (!view) throw new Error('an accepted intent command yielded no intent.accepted');
    if (view.status === 'refused') {
      const refused = events.find((e) => e.type === 'intent.refused')!.data as IntentRefusedData;
      const details = { ...refused.details, intent_id: refused.intent_id, stage: refused.stage };
      return { status: 422, body: { error: { code: refused.code, message: refused.message, details } }, replayed };
    }
    const hold = events.find((e) => e.type === 'balance.hold.created') ?? null;
    return { status: 201, body: await this.intents.withControls(envelope.tenant_id, view, hold), replayed };
  }
}

@CommandHandler(ResolveIntentCommand)
export class ResolveIntentHandler implements ICommandHandler<ResolveIntentCommand, CommandResult> {
  constructor(
    private readonly gateway: LedgerGateway,
    private readonly intents: IntentReads,
  ) {}

  async execute({ envelope, intentId, caller }: ResolveIntentCommand): Promise<CommandResult> {
    const { events, replayed } = await this.gateway.submit(envelope);
    return { status: 200, body: await this.intents.afterCommand(caller, intentId, events[events.length - 1]), replayed };
  }
}
