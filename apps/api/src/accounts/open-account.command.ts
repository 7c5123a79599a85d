import { CommandEnvelope } from '#write-model/index.js';

export class OpenAccountCommand {
  constructor(readonly envelope: CommandEnvelope) {}
}
