import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DisablePolicy, UpdatePolicy } from '#domain/index.js';
import { CommandResult, LedgerGateway } from '../runtime/ledger-gateway.js';
import { ChangePolicyCommand } from './change-policy.command.js';
import { renderPolicy, renderPolicyEvent } from './policy.render.js';

@CommandHandler(ChangePolicyCommand)
export class ChangePolicyHandler implements ICommandHandler<ChangePolicyCommand, CommandResult> {
  constructor(private readonly gateway: LedgerGateway) {}

  async execute({ envelope }: ChangePolicyCommand): Promise<CommandResult> {
    const { events, replayed, state } = await this.gateway.submit(envelope);
    if (events.length > 0) return { status: 200, body: renderPolicyEvent(events[0], state), replayed };
    // Disabling a disabled policy appends nothing: answer with the policy as it is.
    const policy = state.policies.get((envelope.command as UpdatePolicy | DisablePolicy).policy_id)!;
    return { status: 200, body: { ...renderPolicy(policy), event: null, position: null }, replayed };
  }
}
