import { CommandEnvelope } from '#write-model/index.js';

/** PATCH /policies/:id (update_policy) and POST /policies/:id/disable (disable_policy). */
export class ChangePolicyCommand {
  constructor(readonly envelope: CommandEnvelope) {}
}
