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
    }
  | { kind: 'rejected'; error: DomainError };

/** The hold a command acts on (capture, release, expiry), if any. */
export function holdIdOf(command: LedgerCommand): string | undefined {
  return command.type === 'capture_hold' || command.type === 'release_hold' || command.type === 'expire_hold' ? command.hold_id : undefined;
}

export { auditStream, ledgerStream } from '#event-store/index.js';
