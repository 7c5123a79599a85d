import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandEnvelope } from '#write-model/index.js';
import { renderPostedEvent } from '#projections/transactions/transactions.queries.js';
import { CommandResult, LedgerGateway } from '../runtime/ledger-gateway.js';

export class ReverseTransactionCommand {
  constructor(readonly envelope: CommandEnvelope) {}
}

@CommandHandler(ReverseTransactionCommand)
export class ReverseTransactionHandler implements ICommandHandler<ReverseTransactionCommand, CommandResult> {
  constructor(private readonly gateway: LedgerGateway) {}

  async execute({ envelope }: ReverseTransactionCommand): Promise<CommandResult> {
    const { events, replayed } = await this.gateway.submit(envelope);
    const reversal = events.find((e) => e.type === 'ledger.entry.posted')!;
    return { status: 201, body: renderPostedEvent(reversal), replayed };
  }
}
