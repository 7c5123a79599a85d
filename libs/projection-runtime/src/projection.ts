import { PoolClient } from 'pg';
import { RecordedEvent } from '../../event-store/src/index.js';

/**
 * A read model: a pure mapping from events to rows, applied in batches inside the same
 * transaction that advances its checkpoint, so each event takes effect exactly once.
 */
export interface Projection {
  readonly name: string;
  /** Tables the projection owns (for verification and rebuilds). */
  readonly tables: readonly string[];
  apply(tx: PoolClient, events: RecordedEvent[]): Promise<void>;
}

export function tenantOf(event: RecordedEvent): string {
  return event.metadata.tenant_id as string;
}

export function isLedgerEvent(event: RecordedEvent): boolean {
  return event.stream_id.startsWith('ledger-');
}
