import { Provider } from '@nestjs/common';
import { Pool } from 'pg';
import { AccessAudit, ChainHeadSigner, IntentTrace, MasterKey } from '#audit/index.js';
import { ApiKeyService } from '#tenancy/index.js';
import { WriterRegistry } from '#write-model/index.js';
import { ClockSkewMonitor } from './clock-skew.js';
import { EVENT_STORE, LEDGER_CONFIG } from './injection-tokens.js';
import { LedgerRuntime } from './ledger-runtime.js';
import { ProjectionWatermark } from './projection-watermark.js';
import { TenantConnectionGate } from './tenant-connection-gate.js';

/**
 * Each piece of the runtime as its own provider, so that a controller, service, guard or
 * interceptor asks for what it uses (`private readonly writers: WriterRegistry`) and not for the
 * whole runtime. The pieces are built once, at start (bootstrap), because the background workers
 * use them too; Nest gets the built objects. Classes are their own token; interfaces have one in
 * injection-tokens.ts.
 */
export function runtimeProviders(runtime: LedgerRuntime): Provider[] {
  return [
    { provide: LEDGER_CONFIG, useValue: runtime.config },
    { provide: Pool, useValue: runtime.pool },
    { provide: EVENT_STORE, useValue: runtime.store },
    { provide: WriterRegistry, useValue: runtime.writers },
    { provide: ApiKeyService, useValue: runtime.keys },
    { provide: ProjectionWatermark, useValue: runtime.watermark },
    { provide: AccessAudit, useValue: runtime.audit },
    { provide: MasterKey, useValue: runtime.masterKey },
    { provide: ChainHeadSigner, useValue: runtime.signer },
    { provide: IntentTrace, useValue: runtime.intents },
    { provide: TenantConnectionGate, useValue: runtime.tenantReads },
    { provide: ClockSkewMonitor, useValue: runtime.clock },
  ];
}
