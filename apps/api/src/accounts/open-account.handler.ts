import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandResult, LedgerGateway } from '../runtime/ledger-gateway.js';
import { renderAccountEvent } from './account.render.js';
import { OpenAccountCommand } from './open-account.command.js';

@CommandHandler(OpenAccountCommand)
export class OpenAccountHandler implements ICommandHandler<OpenAccountCommand, CommandResult> {
  constructor(private readonly gateway: LedgerGateway) {}

  async execute({ envelope }: OpenAccountCommand): Promise<CommandResult> {
    const { events, replayed, state } = await this.gateway.submit(envelope);
    return { status: 201, body: renderAccountEvent(envelope.tenant_id, events[0], state), replayed };
  }
}
