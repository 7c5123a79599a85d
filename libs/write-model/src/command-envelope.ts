import { DomainError, Hold, LedgerCommand, LedgerState } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';

/** Who asked, and under which policy checks: travels into every event's metadata. */
export interface CommandMetadata {
  actor: string;
  role: string;
  request_id: string;
  intent_id: string | null;
  policy: string[];
  /** The W3C trace context of the command's span, when tracing is on (absent otherwise). */
  traceparent?: string;
}

export interface CommandEnvelope {
  tenant_id: string;
  command: LedgerCommand;
  idempotency_key: string | null;
  /** SHA-256 of the canonical request; same key + different hash is a reuse. */
  request_hash: string | null;
  metadata: CommandMetadata;
  /**
   * Decide against the current state and answer with the would-be events, appending nothing
   * and using no idempotency key (`?dry_run=true`).
   */
  dry_run?: boolean;
}

export type CommandOutcome =
  | {
      kind: 'accepted';
      events: RecordedEvent[];
      /** True when the idempotency key had been seen: the events are the original ones. */
      replayed: boolean;
      /** The writer's state right after the decision; read-only for rendering (accounts). */
      state: LedgerState;
      /** For a capture or release: the hold as this command left it. */
      hold?: Hold;
      /** A dry run's would-be events: never appended (revision -1, position 0). */
      dry_run?: boolean;
    }
  | { kind: 'rejected'; error: DomainError };

/** The hold a command acts on (capture, release, expiry), if any. */
export function holdIdOf(command: LedgerCommand): string | undefined {
  return command.type === 'capture_hold' || command.type === 'release_hold' || command.type === 'expire_hold' ? command.hold_id : undefined;
}

/** The intent a command acts on (create, settle, cancel), if any. */
export function intentIdOf(command: LedgerCommand): string | undefined {
  return command.type === 'create_intent' || command.type === 'settle_intent' || command.type === 'cancel_intent' ? command.intent_id : undefined;
}

export { auditStream, ledgerStream } from '#event-store/index.js';
