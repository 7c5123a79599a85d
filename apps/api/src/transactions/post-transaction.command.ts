import { CommandEnvelope } from '../../../../libs/write-model/src/index.js';

export class PostTransactionCommand {
  constructor(readonly envelope: CommandEnvelope) {}
}
