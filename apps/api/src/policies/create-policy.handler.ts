import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandResult, LedgerGateway } from '../runtime/ledger-gateway.js';
import { CreatePolicyCommand } from './create-policy.command.js';
import { renderPolicyEvent } from './policy.render.js';

@CommandHandler(CreatePolicyCommand)
export class CreatePolicyHandler implements ICommandHandler<CreatePolicyCommand, CommandResult> {
  constructor(private readonly gateway: LedgerGateway) {}

  async execute({ envelope }: CreatePolicyCommand): Promise<CommandResult> {
    const { events, replayed, state } = await this.gateway.submit(envelope);
    return { status: 201, body: renderPolicyEvent(events[0], state), replayed };
  }
}
