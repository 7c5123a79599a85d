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

  constructor(private readonly url: string) {}

  onLost(listener: () => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  async tryLock(name: string): Promise<boolean> {
    const client = await this.session();
    const { rows } = await client.query(`select pg_try_advisory_lock(hashtext('zentra-projection'), hashtext($1)) as locked`, [name]);
    return rows[0].locked;
  }

  async unlock(name: string): Promise<void> {
    if (!this.client) return;
    await this.client.query(`select pg_advisory_unlock(hashtext('zentra-projection'), hashtext($1))`, [name]).catch(() => undefined);
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
