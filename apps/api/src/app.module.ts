import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AccountsModule } from './accounts/accounts.module.js';
import { AdminActionInterceptor } from './audit/admin-action.interceptor.js';
import { AuditLogController } from './audit/audit-log.controller.js';
import { EventsController } from './events/events.controller.js';
import { EvidenceModule } from './evidence/evidence.module.js';
import { HoldsModule } from './holds/holds.module.js';
import { ReconciliationModule } from './reconciliation/reconciliation.module.js';
import { AuthGuard } from './http/auth.guard.js';
import { TenantReadsInterceptor } from './http/tenant-reads.interceptor.js';
import { LedgerMetrics } from './operations/metrics.js';
import { OperationsController } from './operations/operations.controller.js';
import { PoliciesModule } from './policies/policies.module.js';
import { IntentsModule } from './intents/intents.module.js';
import { LedgerGateway } from './runtime/ledger-gateway.js';
import { LedgerRuntime } from './runtime/ledger-runtime.js';
import { Reads } from './runtime/reads.js';
import { runtimeProviders } from './runtime/runtime-providers.js';
import { TenantsController } from './tenants/tenants.controller.js';
import { TransactionsModule } from './transactions/transactions.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

/** The process-wide runtime (pool, event store, writers…) as one injectable provider per piece. */
@Global()
@Module({})
export class RuntimeModule {
  static forRoot(runtime: LedgerRuntime, metrics: LedgerMetrics): DynamicModule {
    const pieces: Provider[] = [...runtimeProviders(runtime), { provide: LedgerMetrics, useValue: metrics }];
    return {
      module: RuntimeModule,
      providers: [...pieces, LedgerGateway, Reads],
      exports: [...pieces, LedgerGateway, Reads],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(runtime: LedgerRuntime, metrics: LedgerMetrics): DynamicModule {
    return {
      module: AppModule,
      imports: [RuntimeModule.forRoot(runtime, metrics), CqrsModule.forRoot(), AccountsModule, TransactionsModule, HoldsModule, ReconciliationModule, EvidenceModule, WebhooksModule, PoliciesModule, IntentsModule],
      controllers: [TenantsController, EventsController, AuditLogController, OperationsController],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: AdminActionInterceptor },
        { provide: APP_INTERCEPTOR, useClass: TenantReadsInterceptor },
      ],
    };
  }
}
