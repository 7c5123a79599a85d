import { CommandEnvelope } from '../../../../libs/write-model/src/index.js';

export class CreatePolicyCommand {
  constructor(readonly envelope: CommandEnvelope) {}
}
