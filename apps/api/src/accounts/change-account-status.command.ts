import { CommandEnvelope } from '#write-model/index.js';

export class ChangeAccountStatusCommand {
  constructor(readonly envelope: CommandEnvelope) {}
}
