import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Pool } from 'pg';
import { ChainHeadSigner } from '#audit/index.js';
import type { LedgerConfig } from '#database/index.js';
import type { EventStore } from '#event-store/index.js';
import { projectionLag } from '#projection-runtime/index.js';
import { ALL_PROJECTIONS } from '#projections/index.js';
import { WriterRegistry } from '#write-model/index.js';
import { Public } from '../http/roles.js';
import { ClockSkewMonitor } from '../runtime/clock-skew.js';
import { EVENT_STORE, LEDGER_CONFIG } from '../runtime/injection-tokens.js';
import { LedgerMetrics } from './metrics.js';
import { ApiRoute } from '../http/openapi.js';
import { HEALTH } from './operations.openapi.js';

const PROJECTION_NAMES = ALL_PROJECTIONS.map((p) => p.name);

@ApiTags('operations')
@Controller()
export class OperationsController {
  constructor(
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly clock: ClockSkewMonitor,
    private readonly signer: ChainHeadSigner,
    private readonly metrics: LedgerMetrics,
    private readonly writers: WriterRegistry,
  ) {}

  /** No auth: for load balancers and on-call. 503 when the database cannot be reached. */
  @ApiRoute({ operationId: 'getHealth', summary: 'Health and projection lag (no key)', ok: [200, HEALTH], example: { status: 'ok', projection_lag: { accounts: 0 } }, open: true, also: [[503, HEALTH, 'storage unavailable']] })
  @Get('health')
  @Public()
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      const lag = await projectionLag(this.pool, this.store, PROJECTION_NAMES, this.config.lagThresholds);
      // A skewed clock refuses commands; a chain that failed to verify is not signed. Counts only: no tenant is named here.
      const clock = this.clock.status();
      const chain = { ok: this.signer.brokenTenants === 0, broken_tenants: this.signer.brokenTenants };
      const degraded = Object.values(lag).some((p) => p.status !== 'ok') || !clock.ok || !chain.ok;
      return { status: degraded ? 'degraded' : 'ok', projection_lag: lag, projector: this.config.projectorEnabled ? 'in_process' : 'external', clock, chain_heads: chain };
    } catch {
      void reply.status(503);
      return { status: 'unavailable', projection_lag: {} };
    }
  }

  @ApiRoute({ operationId: 'getMetrics', summary: 'Prometheus metrics (no key)', ok: [200, { type: 'string' }], mediaType: 'text/plain', example: 'zentra_http_requests_total 1', open: true })
  @Get('metrics')
  @Public()
  @Header('content-type', 'text/plain; version=0.0.4')
  async scrape() {
    const lag = await projectionLag(this.pool, this.store, PROJECTION_NAMES, this.config.lagThresholds).catch(() => ({}));
    for (const [name, p] of Object.entries(lag)) {
      this.metrics.projectionPosition.set({ projection: name }, Number(p.position));
      this.metrics.projectionLagEvents.set({ projection: name }, Number(p.lag_events));
      this.metrics.projectionLagSeconds.set({ projection: name }, p.lag_seconds);
    }
    this.metrics.clockSkew.set(this.clock.skewMs() ?? 0);
    this.metrics.chainBrokenTenants.set(this.signer.brokenTenants);
    this.metrics.writerConflicts.set(this.writers.stats.conflicts);
    this.metrics.writerTurns.set(this.writers.stats.turns);
    this.metrics.writerTurnsMissed.set(this.writers.stats.turnsMissed);
    return this.metrics.registry.metrics();
  }
}
