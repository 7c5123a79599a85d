import { Pool } from 'pg';
import { EventStore } from '#event-store/index.js';
import { Projection } from './projection.js';
import { OwnershipSession } from './ownership.js';
import { PROJECTION_BATCH_MAX, ProjectionRunner } from './projection-runner.js';
import { SharedApply } from './shared-apply.js';

/** How long start-up waits for the runners' first round (see settled). */
export const SETTLE_WAIT_MS = 10_000;

/** All read models of a process: one runner each, competing for ownership with other processes. */
export class Projector {
  readonly runners: ProjectionRunner[];
  private readonly locks: OwnershipSession;

  /**
   * `url`: the database the advisory locks are taken in (the pool's); `batchSize`: events per
   * transaction; `lingerMs`: once caught up, how long appends gather before the next batch
   * (LEDGER_PROJECTOR_LINGER_MS).
   */
  constructor(
    projections: readonly Projection[],
    store: EventStore,
    pool: Pool,
    url: string,
    log: (line: string) => void = () => undefined,
    { batchSize = PROJECTION_BATCH_MAX, lingerMs = 0 }: { batchSize?: number; lingerMs?: number } = {},
  ) {
    this.locks = new OwnershipSession(url);
    // Runners at the same checkpoint apply each batch together: one transaction per batch, not one per projection.
    const shared = new SharedApply(pool);
    this.runners = projections.map((p) => new ProjectionRunner(p, store, pool, this.locks, log, batchSize, shared, lingerMs));
  }

  start(): this {
    for (const runner of this.runners) runner.start();
    return this;
  }

  /**
   * Resolves once every runner has had its first round (it owns its projection and the model
   * exists, or another process owns it), or after `waitMs`: a fresh database's models are
   * created by then, so the process's background work does not start before its tables.
   */
  async settled(waitMs = SETTLE_WAIT_MS): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), waitMs)));
    try {
      return await Promise.race([Promise.all(this.runners.map((r) => r.settled)).then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
    await this.locks.close();
  }
}
