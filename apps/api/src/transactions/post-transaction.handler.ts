import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { renderPostedEvent } from '#projections/transactions/transactions.queries.js';
import { CommandResult, LedgerGateway } from '../runtime/ledger-gateway.js';
import { PostTransactionCommand } from './post-transaction.command.js';

@CommandHandler(PostTransactionCommand)
export class PostTransactionHandler implements ICommandHandler<PostTransactionCommand, CommandResult> {
  constructor(private readonly gateway: LedgerGateway) {}

  async execute({ envelope }: PostTransactionCommand): Promise<CommandResult> {
    const { events, replayed } = await this.gateway.submit(envelope);
    const posted = events[0];
    const body = renderPostedEvent(posted);
    return { status: 201, body, replayed };
  }
}
