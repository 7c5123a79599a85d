import { CommandEnvelope } from '#write-model/index.js';

export class PostTransactionCommand {
  constructor(readonly envelope: CommandEnvelope) {}
}
