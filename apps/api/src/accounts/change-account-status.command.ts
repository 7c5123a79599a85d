import { CommandEnvelope } from '../../../../libs/write-model/src/index.js';

export class ChangeAccountStatusCommand {
  constructor(readonly envelope: CommandEnvelope) {}
}
