import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The process's Prometheus registry; gauges about projections are filled at scrape time. */
export class LedgerMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'zentra_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'zentra_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly projectionPosition = new Gauge({
    name: 'zentra_projection_position',
    help: 'Last log position applied by each projection',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly projectionLagEvents = new Gauge({
    name: 'zentra_projection_lag_events',
    help: 'Log positions not yet applied by each projection',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly projectionLagSeconds = new Gauge({
    name: 'zentra_projection_lag_seconds',
    help: 'Age of the oldest event each projection has not applied',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly clockSkew = new Gauge({
    name: 'zentra_clock_skew_milliseconds',
    help: "This process's clock minus PostgreSQL's; commands are refused beyond LEDGER_CLOCK_SKEW_MAX_MS",
    registers: [this.registry],
  });
  readonly chainBrokenTenants = new Gauge({
    name: 'zentra_chain_broken_tenants',
    help: 'Tenants whose hash chain failed to verify at their last signing attempt in this process (their head is not signed)',
    registers: [this.registry],
  });

  readonly writerConflicts = new Gauge({
    name: 'zentra_writer_conflicts',
    help: "Appends this process's writers lost to another writer of the tenant (another process) since start",
    registers: [this.registry],
  });
  readonly writerTurns = new Gauge({
    name: 'zentra_writer_turns',
    help: "Turns this process's writers took with a tenant's exclusion (writers of one tenant active in several processes) since start",
    registers: [this.registry],
  });
  readonly writerTurnsMissed = new Gauge({
    name: 'zentra_writer_turns_missed',
    help: 'Times a writer decided without the exclusion: not had in time (another holder paused or stuck) since start',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'zentra_' });
  }
}
