import { CommandEnvelope } from '../../../../libs/write-model/src/index.js';

export class OpenAccountCommand {
  constructor(readonly envelope: CommandEnvelope) {}
}
