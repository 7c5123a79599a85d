import { Pool } from 'pg';
import { LedgerConfig } from '#database/index.js';
import { EventStore } from '#event-store/index.js';
import { AccessAudit, ChainHeadSigner, IntentTrace, MasterKey } from '#audit/index.js';
import { ApiKeyService } from '#tenancy/index.js';
import { PostgresWriterSnapshots, WriterRegistry } from '#write-model/index.js';
import { ClockSkewMonitor, CLOCK_SKEW_CHECK_INTERVAL_MS, ProcessClock, SYSTEM_CLOCK } from './clock-skew.js';
import { ProjectionWatermark } from './projection-watermark.js';
import { TenantConnectionGate } from './tenant-connection-gate.js';

/**
 * The composition root: the process-wide pieces, built once at start (bootstrap, for main.ts or a
 * test) because the background workers use them too. Nest gets each piece as its own provider
 * (runtime-providers.ts); nothing in a module injects this whole object.
 */
export class LedgerRuntime {
  readonly writers: WriterRegistry;
  readonly keys: ApiKeyService;
  readonly watermark: ProjectionWatermark;
  readonly audit: AccessAudit;
  readonly masterKey: MasterKey;
  /** Signs tenants' chain heads (per append batch, coalesced under load, and on demand). */
  readonly signer: ChainHeadSigner;
  readonly intents: IntentTrace;
  /** One tenant's reads hold at most LEDGER_TENANT_CONNECTIONS_MAX of the pool's connections. */
  readonly tenantReads: TenantConnectionGate;
  /** This process's clock against PostgreSQL's: the writers stamp events with it and refuse commands while it is skewed (started by bootstrap). */
  readonly clock: ClockSkewMonitor;

  constructor(
    readonly config: LedgerConfig,
    readonly pool: Pool,
    readonly store: EventStore,
    readonly adminToken: string,
    log: (line: string) => void = () => undefined,
    /** The process's clocks; a test passes a skewed one. */
    processClock: ProcessClock = SYSTEM_CLOCK,
  ) {
    this.watermark = new ProjectionWatermark(pool, config.readYourWritesTimeoutMs);
    this.tenantReads = new TenantConnectionGate(config.tenantConnectionsMax, config.tenantConnectionWaitMs);
    this.masterKey = new MasterKey(config.masterKey);
    this.signer = new ChainHeadSigner(pool, store, this.masterKey, undefined, log).start();
    this.clock = new ClockSkewMonitor(pool, config.clockSkewMaxMs, processClock, CLOCK_SKEW_CHECK_INTERVAL_MS, log);
    const appended = (tenantId: string, last: { revision: bigint; position: bigint; metadata: Record<string, unknown> }) => {
      this.watermark.wrote(tenantId, last.position);
      this.signer.appended({ tenant_id: tenantId, stream_revision: last.revision.toString(), position: last.position.toString(), hash: String(last.metadata.hash) });
    };
    const snapshots = { store: new PostgresWriterSnapshots(pool), everyEvents: config.writerSnapshotEvents };
    this.writers = new WriterRegistry(store, appended, config.writerRecordsMax, this.clock, snapshots, config.writerLock);
    this.keys = new ApiKeyService(pool, adminToken, this.masterKey).start();
    this.intents = new IntentTrace(pool);
    this.audit = new AccessAudit(store, (tenantId, position) => this.watermark.wrote(tenantId, position), log);
  }
}
