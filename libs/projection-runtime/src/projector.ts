import { Pool } from 'pg';
import { EventStore } from '../../event-store/src/index.js';
import { Projection } from './projection.js';
import { ProjectionRunner } from './projection-runner.js';

/** All read models of a process: one runner each, competing for ownership with other processes. */
export class Projector {
  readonly runners: ProjectionRunner[];

  constructor(projections: readonly Projection[], store: EventStore, pool: Pool, log: (line: string) => void = () => undefined) {
    this.runners = projections.map((p) => new ProjectionRunner(p, store, pool, log));
  }

  start(): this {
    for (const runner of this.runners) runner.start();
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
  }
}
