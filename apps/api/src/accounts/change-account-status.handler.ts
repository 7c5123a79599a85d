import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ChangeAccountStatus } from '#domain/index.js';
import { CommandResult, LedgerGateway } from '../runtime/ledger-gateway.js';
import { renderAccount, renderAccountEvent } from './account.render.js';
import { ChangeAccountStatusCommand } from './change-account-status.command.js';

@CommandHandler(ChangeAccountStatusCommand)
export class ChangeAccountStatusHandler implements ICommandHandler<ChangeAccountStatusCommand, CommandResult> {
  constructor(private readonly gateway: LedgerGateway) {}

  async execute({ envelope }: ChangeAccountStatusCommand): Promise<CommandResult> {
    const { events, replayed, state } = await this.gateway.submit(envelope);
    const tenantId = envelope.tenant_id;
    if (events.length > 0) return { status: 200, body: renderAccountEvent(tenantId, events[0], state), replayed };
    // Already in the requested status: nothing was appended; answer with the account as it is.
    const account = state.accounts.get((envelope.command as ChangeAccountStatus).account_id)!;
    return { status: 200, body: { ...renderAccount(tenantId, account), event: null, position: null }, replayed };
  }
}
