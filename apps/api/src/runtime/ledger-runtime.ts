import { Pool } from 'pg';
import { LedgerConfig } from '../../../../libs/database/src/index.js';
import { EventStore } from '../../../../libs/event-store/src/index.js';
import { ApiKeyService } from '../../../../libs/tenancy/src/index.js';
import { WriterRegistry } from '../../../../libs/write-model/src/index.js';
import { AccessAudit } from '../audit/access-audit.js';
import { ProjectionWatermark } from './projection-watermark.js';

/**
 * The process-wide pieces every module uses, built once at start (main.ts or a test) and
 * handed to Nest as one provider.
 */
export class LedgerRuntime {
  readonly writers: WriterRegistry;
  readonly keys: ApiKeyService;
  readonly watermark: ProjectionWatermark;
  readonly audit: AccessAudit;

  constructor(
    readonly config: LedgerConfig,
    readonly pool: Pool,
    readonly store: EventStore,
    readonly adminToken: string,
  ) {
    this.watermark = new ProjectionWatermark(pool, config.readYourWritesTimeoutMs);
    this.writers = new WriterRegistry(store, (tenantId, position) => this.watermark.wrote(tenantId, position));
    this.keys = new ApiKeyService(pool, adminToken);
    this.audit = new AccessAudit(store, (tenantId, position) => this.watermark.wrote(tenantId, position));
  }
}
