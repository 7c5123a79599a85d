import { CommandEnvelope } from '#write-model/index.js';

export class CreatePolicyCommand {
  constructor(readonly envelope: CommandEnvelope) {}
}
