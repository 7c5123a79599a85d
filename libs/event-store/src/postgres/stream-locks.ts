import { createHash } from 'node:crypto';
import { Pool, PoolClient, PoolConfig } from 'pg';

/**
 * The first of the two 32-bit keys of every stream exclusion's advisory lock ("ZL" and 1): the
 * two-key form never meets a one-key lock (PostgreSQL keeps the two key spaces apart), and the
 * class keeps these apart from any other two-key use.
 */
export const STREAM_LOCK_CLASS = 0x5a4c01;
/** Connections kept for exclusions: one per stream held or waited for at once; more wait for one. */
export const STREAM_LOCK_CONNECTIONS_MAX = 8;
/**
 * How long a writer waits for another process's writer of the same stream (for a connection
 * and then the lock) before it decides without the exclusion: a holder that is paused or stuck
 * must not stop the others (the append's expected revision still keeps them correct).
 */
export const STREAM_LOCK_WAIT_MS = 2_000;

/** The second key: 32 bits of the stream id's SHA-256 (two streams sharing one only wait for each other). */
export function streamLockKey(streamId: string): number {
  return createHash('sha256').update(streamId).digest().readInt32BE(0);
}

/**
 * Stream exclusions over PostgreSQL transaction-level advisory locks, on a small pool of their
 * own: a lock is held by an open transaction on a connection until its release (meanwhile the
 * holder reads and appends through the store's own pool), so these connections never starve the
 * store's. A process that dies loses its connections and so its locks at once.
 */
export class StreamLocks {
  private pool: Pool | null = null;
  private closed = false;

  /** `config`: how the store's own pool connects (read when the first lock is wanted). */
  constructor(private readonly config: () => PoolConfig) {}

  /** The stream's lock and its release, or null when it could not be had within STREAM_LOCK_WAIT_MS. */
  async exclude(streamId: string): Promise<(() => Promise<void>) | null> {
    const client = await this.locked(streamId);
    if (!client) return null;
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      // Ending the transaction ends the lock; a connection that cannot end it is dropped, and its
      // session's end frees the lock.
      await client.query('commit').then(
        () => client.release(),
        (error) => client.release(error),
      );
    };
  }

  /** A connection holding the stream's lock, or null when none could be had within STREAM_LOCK_WAIT_MS. */
  private async locked(streamId: string): Promise<PoolClient | null> {
    if (this.closed) return null;
    let client: PoolClient;
    try {
      client = await this.lockPool().connect();
    } catch {
      return null;
    }
    try {
      // One round trip; the keys are integers computed here, never text from a request.
      await client.query(`begin; set local lock_timeout = ${STREAM_LOCK_WAIT_MS}; select pg_advisory_xact_lock(${STREAM_LOCK_CLASS}, ${streamLockKey(streamId)})`);
      return client;
    } catch {
      await client.query('rollback').then(
        () => client.release(),
        (error) => client.release(error),
      );
      return null;
    }
  }

  private lockPool(): Pool {
    if (!this.pool) {
      this.pool = new Pool({ ...this.config(), max: STREAM_LOCK_CONNECTIONS_MAX, connectionTimeoutMillis: STREAM_LOCK_WAIT_MS });
      // A connection losing its server (a restart) must not crash the process, idle or held (a
      // turn holds its connection between queries, where pg-pool does not listen): the release
      // then drops it, and the session's end has ended its lock.
      this.pool.on('error', () => undefined);
      this.pool.on('connect', (client) => client.on('error', () => undefined));
    }
    return this.pool;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pool?.end();
  }
}
