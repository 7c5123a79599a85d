import { Client } from 'pg';

/**
 * One database session holds the advisory locks of every projection this process owns. (A
 * session per projection would take a pooled connection each for as long as it owns it and
 * starve the pool the projections write through.) If the session breaks, every lock is gone:
 * the runners are told and compete again.
 */
export class OwnershipSession {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private readonly lostListeners = new Set<() => void>();
  /** Queries on the session run one after another (one pg client, one query at a time). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly url: string) {}

  onLost(listener: () => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  tryLock(name: string): Promise<boolean> {
    return this.serially(async () => {
      const client = await this.session();
      const { rows } = await client.query(`select pg_try_advisory_lock(hashtext('zentra-projection'), hashtext($1)) as locked`, [name]);
      return rows[0].locked as boolean;
    });
  }

  unlock(name: string): Promise<void> {
    return this.serially(async () => {
      if (!this.client) return;
      await this.client.query(`select pg_advisory_unlock(hashtext('zentra-projection'), hashtext($1))`, [name]).catch(() => undefined);
    });
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private session(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    if (!this.connecting) {
      this.connecting = (async () => {
        const client = new Client({ connectionString: this.url });
        client.on('error', () => {
          if (this.client !== client) return;
          this.client = null;
          for (const listener of this.lostListeners) listener();
        });
        await client.connect();
        this.client = client;
        return client;
      })().finally(() => (this.connecting = null));
    }
    return this.connecting;
  }
}
