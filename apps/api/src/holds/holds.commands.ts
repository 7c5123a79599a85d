import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandEnvelope } from '#write-model/index.js';
import { answered, CommandResult, LedgerGateway } from '../runtime/ledger-gateway.js';
import { renderCapture, renderHold, renderPlacedHold } from './hold.render.js';

export class PlaceHoldCommand {
  constructor(readonly envelope: CommandEnvelope) {}
}

export class CaptureHoldCommand {
  constructor(readonly envelope: CommandEnvelope) {}
}

export class ReleaseHoldCommand {
  constructor(readonly envelope: CommandEnvelope) {}
}

@CommandHandler(PlaceHoldCommand)
export class PlaceHoldHandler implements ICommandHandler<PlaceHoldCommand, CommandResult> {
  constructor(private readonly gateway: LedgerGateway) {}

  async execute({ envelope }: PlaceHoldCommand): Promise<CommandResult> {
    const accepted = await this.gateway.submit(envelope);
    return answered(accepted, 201, renderPlacedHold(accepted.events[0]));
  }
}

@CommandHandler(CaptureHoldCommand)
export class CaptureHoldHandler implements ICommandHandler<CaptureHoldCommand, CommandResult> {
  constructor(private readonly gateway: LedgerGateway) {}

  async execute({ envelope }: CaptureHoldCommand): Promise<CommandResult> {
    const { events, replayed, hold } = await this.gateway.submit(envelope);
    return { status: 200, body: renderCapture(hold!, events), replayed };
  }
}

@CommandHandler(ReleaseHoldCommand)
export class ReleaseHoldHandler implements ICommandHandler<ReleaseHoldCommand, CommandResult> {
  constructor(private readonly gateway: LedgerGateway) {}

  async execute({ envelope }: ReleaseHoldCommand): Promise<CommandResult> {
    const { events, replayed, hold } = await this.gateway.submit(envelope);
    return { status: 200, body: renderHold(hold!, events[0]), replayed };
  }
}
