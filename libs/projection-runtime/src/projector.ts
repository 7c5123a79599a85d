import { Pool } from 'pg';
import { EventStore } from '../../event-store/src/index.js';
import { Projection } from './projection.js';
import { OwnershipSession } from './ownership.js';
import { PROJECTION_BATCH_MAX, ProjectionRunner } from './projection-runner.js';

/** All read models of a process: one runner each, competing for ownership with other processes. */
export class Projector {
  readonly runners: ProjectionRunner[];
  private readonly locks: OwnershipSession;

  /** `url`: the database the advisory locks are taken in (the pool's); `batchSize`: events per transaction. */
  constructor(
    projections: readonly Projection[],
    store: EventStore,
    pool: Pool,
    url: string,
    log: (line: string) => void = () => undefined,
    batchSize = PROJECTION_BATCH_MAX,
  ) {
    this.locks = new OwnershipSession(url);
    this.runners = projections.map((p) => new ProjectionRunner(p, store, pool, this.locks, log, batchSize));
  }

  start(): this {
    for (const runner of this.runners) runner.start();
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
    await this.locks.close();
  }
}
