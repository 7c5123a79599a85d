import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { renderPostedEvent } from '#projections/transactions/transactions.queries.js';
import { answered, CommandResult, LedgerGateway } from '../runtime/ledger-gateway.js';
import { PostTransactionCommand } from './post-transaction.command.js';

@CommandHandler(PostTransactionCommand)
export class PostTransactionHandler implements ICommandHandler<PostTransactionCommand, CommandResult> {
  constructor(private readonly gateway: LedgerGateway) {}

  async execute({ envelope }: PostTransactionCommand): Promise<CommandResult> {
    const accepted = await this.gateway.submit(envelope);
    return answered(accepted, 201, renderPostedEvent(accepted.events[0]));
  }
}
