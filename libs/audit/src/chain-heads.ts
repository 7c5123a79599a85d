import { createPrivateKey, KeyObject } from 'node:crypto';
import { Pool } from 'pg';
import { type EventStore, ledgerStream } from '../../event-store/src/index.js';
import { ChainHead, MasterKey, signHead, verifyHead } from './signing.js';

const SQL = {
  keys: `select public_key, private_key_sealed from tenants where id = $1`,
  insert: `insert into chain_heads (tenant_id, stream_revision, position, hash, signature) values ($1, $2, $3, $4, $5)
           on conflict (tenant_id, stream_revision) do nothing`,
  covering: `select tenant_id, stream_revision::text, position::text, hash, signature, signed_at from chain_heads
              where tenant_id = $1 and position >= $2 order by position limit 1`,
  latest: `select tenant_id, stream_revision::text, position::text, hash, signature, signed_at from chain_heads
            where tenant_id = $1 order by position desc limit 1`,
};

export interface SignedHead extends ChainHead {
  signature: string;
  signed_at?: string;
}

/**
 * Signs tenants' chain heads with their Ed25519 keys. Appends report their head here; a
 * background loop signs the newest head of each tenant (under load several append batches
 * share one signature: each signed head covers every event before it).
 */
export class ChainHeadSigner {
  private readonly pending = new Map<string, ChainHead>();
  /** Tenants whose head failed to sign: when to try again (doubling, up to a minute). */
  private readonly failures = new Map<string, { attempts: number; retryAt: number }>();
  private readonly keys = new Map<string, { publicKey: string; privateKey: KeyObject }>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly store: Pick<EventStore, 'readLastEvent'>,
    private readonly masterKey: MasterKey,
    private readonly intervalMs = 50,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  appended(head: ChainHead): void {
    const known = this.pending.get(head.tenant_id);
    if (!known || BigInt(known.stream_revision) < BigInt(head.stream_revision)) this.pending.set(head.tenant_id, head);
  }

  flush(): Promise<void> {
    if (!this.flushing) {
      this.flushing = (async () => {
        const now = Date.now();
        const heads = [...this.pending.values()].filter((head) => (this.failures.get(head.tenant_id)?.retryAt ?? 0) <= now);
        for (const head of heads) this.pending.delete(head.tenant_id);
        for (const head of heads) {
          try {
            await this.sign(head);
            this.failures.delete(head.tenant_id);
          } catch (error) {
            const attempts = (this.failures.get(head.tenant_id)?.attempts ?? 0) + 1;
            const delayMs = Math.min(60_000, this.intervalMs * 2 ** attempts);
            this.failures.set(head.tenant_id, { attempts, retryAt: Date.now() + delayMs });
            this.log(`could not sign the chain head of tenant ${head.tenant_id}: ${(error as Error).message}; retrying in ${delayMs} ms`);
            // Tried again later, unless a newer head (which covers it) arrives meanwhile.
            this.appended(head);
          }
        }
      })().finally(() => (this.flushing = null));
    }
    return this.flushing;
  }

  /** Signs the tenant's current head now (on demand, and for exports). */
  async signCurrent(tenantId: string): Promise<SignedHead | null> {
    const last = await this.store.readLastEvent(ledgerStream(tenantId));
    if (!last) return null;
    return this.sign({ tenant_id: tenantId, stream_revision: last.revision.toString(), position: last.position.toString(), hash: last.metadata.hash });
  }

  async publicKey(tenantId: string): Promise<string | null> {
    return (await this.keyPair(tenantId))?.publicKey ?? null;
  }

  /** The first signed head at or after a position, and whether its signature verifies now. */
  async covering(tenantId: string, position: bigint): Promise<(SignedHead & { verified: boolean }) | null> {
    const { rows } = await this.pool.query(SQL.covering, [tenantId, position.toString()]);
    if (!rows.length) return null;
    const keys = await this.keyPair(tenantId);
    return { ...rows[0], signed_at: new Date(rows[0].signed_at).toISOString(), verified: Boolean(keys && verifyHead(rows[0], rows[0].signature, keys.publicKey)) };
  }

  /** Signs a given head (an export's end, which may be before the current head). */
  async sign(head: ChainHead): Promise<SignedHead> {
    const keys = await this.keyPair(head.tenant_id);
    if (!keys) throw new Error(`tenant ${head.tenant_id} has no signing key`);
    const signature = signHead(head, keys.privateKey);
    await this.pool.query(SQL.insert, [head.tenant_id, head.stream_revision, head.position, head.hash, signature]);
    return { ...head, signature };
  }

  private async keyPair(tenantId: string): Promise<{ publicKey: string; privateKey: KeyObject } | null> {
    const cached = this.keys.get(tenantId);
    if (cached) return cached;
    const { rows } = await this.pool.query(SQL.keys, [tenantId]);
    if (!rows.length) return null;
    const pair = { publicKey: rows[0].public_key as string, privateKey: createPrivateKey(this.masterKey.decrypt(rows[0].private_key_sealed)) };
    this.keys.set(tenantId, pair);
    return pair;
  }
}
