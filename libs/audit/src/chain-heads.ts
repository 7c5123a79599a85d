import { createPrivateKey, KeyObject } from 'node:crypto';
import { Pool } from 'pg';
import { type EventStore, ledgerStream } from '#event-store/index.js';
import { GENESIS_HASH, verifyChain } from './hash-chain.js';
import { ChainHead, MasterKey, signHead, verifyHead } from './signing.js';

/** Events read per query while verifying the chain up to a head before signing it (bounds memory, not work). */
export const CHAIN_VERIFY_PAGE_EVENTS = 1_000;
/** A head that failed to sign is tried again after intervalMs * 2^attempts, at most this long after. */
export const SIGN_RETRY_DELAY_MAX_MS = 60_000;

/**
 * Orders name the table's columns (`chain_heads.position`): the select lists cast them to text
 * under the same names, and a bare `order by position` would sort those texts ("99" after "1000").
 */
const SQL = {
  keys: `select public_key, private_key_sealed from tenants where id = $1`,
  insert: `insert into chain_heads (tenant_id, stream_revision, position, hash, signature) values ($1, $2, $3, $4, $5)
           on conflict (tenant_id, stream_revision) do nothing`,
  covering: `select tenant_id, stream_revision::text, position::text, hash, signature, signed_at from chain_heads
              where tenant_id = $1 and position >= $2 order by chain_heads.position limit 1`,
  /** Where verification of a new head starts: the newest head signed at or before it (primary key order). */
  signedAtOrBefore: `select tenant_id, stream_revision::text, position::text, hash, signature from chain_heads
                      where tenant_id = $1 and stream_revision <= $2 order by chain_heads.stream_revision desc limit 1`,
};

/**
 * The stored chain does not verify up to a head: it was not signed. `event_id` and `position`
 * name the first event that breaks it (null when the break is at the head itself).
 */
export class ChainBrokenError extends Error {
  constructor(
    readonly head: ChainHead,
    readonly reason: string,
    readonly position: string | null = null,
    readonly event_id: string | null = null,
  ) {
    super(`the chain of tenant ${head.tenant_id} does not verify up to revision ${head.stream_revision}${position ? ` (event ${event_id} at position ${position})` : ''}: ${reason}`);
    this.name = 'ChainBrokenError';
  }
}

export interface SignedHead extends ChainHead {
  signature: string;
  signed_at?: string;
}

/**
 * Signs tenants' chain heads with their Ed25519 keys. Appends report their head here; a
 * background loop signs the newest head of each tenant (under load several append batches
 * share one signature: each signed head covers every event before it).
 *
 * A signature vouches for every event before the head, so a head is signed only after the stored
 * chain verifies from the previous signed head (or the stream's start) up to it: each event
 * re-hashed from its content, each prev_hash linking, the last hash equal to the head's. The
 * work is linear in the events since the last signed head, never the whole stream. A chain
 * that does not verify is never signed: it is logged, counted (brokenTenants, shown by
 * /health) and tried again with the usual backoff.
 */
export class ChainHeadSigner {
  private readonly pending = new Map<string, ChainHead>();
  /** Tenants whose head failed to sign: when to try again (doubling, up to a minute). */
  private readonly failures = new Map<string, { attempts: number; retryAt: number }>();
  private readonly keys = new Map<string, { publicKey: string; privateKey: KeyObject }>();
  /** Tenants whose chain failed to verify at their last attempt to sign (cleared by a signed head). */
  private readonly broken = new Map<string, ChainBrokenError>();
  /** Heads refused since start because their chain did not verify. */
  refusedHeads = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly store: Pick<EventStore, 'readLastEvent' | 'readStream'>,
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
            const delayMs = Math.min(SIGN_RETRY_DELAY_MAX_MS, this.intervalMs * 2 ** attempts);
            this.failures.set(head.tenant_id, { attempts, retryAt: Date.now() + delayMs });
            const loud = error instanceof ChainBrokenError ? 'CHAIN BROKEN: refusing to sign: ' : '';
            this.log(`${loud}could not sign the chain head of tenant ${head.tenant_id}: ${(error as Error).message}; retrying in ${delayMs} ms`);
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

  /** How many tenants' chains failed to verify at their last attempt to sign, in this process. */
  get brokenTenants(): number {
    return this.broken.size;
  }

  /**
   * Signs a given head (an export's end, which may be before the current head), once the stored
   * chain verifies up to it; throws ChainBrokenError otherwise (nothing is signed).
   */
  async sign(head: ChainHead): Promise<SignedHead> {
    const keys = await this.keyPair(head.tenant_id);
    if (!keys) throw new Error(`tenant ${head.tenant_id} has no signing key`);
    try {
      await this.verifyUpTo(head, keys.publicKey);
    } catch (error) {
      if (error instanceof ChainBrokenError) {
        this.broken.set(head.tenant_id, error);
        this.refusedHeads++;
      }
      throw error;
    }
    const signature = signHead(head, keys.privateKey);
    await this.pool.query(SQL.insert, [head.tenant_id, head.stream_revision, head.position, head.hash, signature]);
    this.broken.delete(head.tenant_id);
    return { ...head, signature };
  }

  /**
   * The stored chain from the newest head signed at or before `head` (whose signature must hold)
   * up to `head`: read from the store page by page, re-hashed and linked (verifyChain), ending in
   * exactly the head's revision, position and hash.
   */
  private async verifyUpTo(head: ChainHead, publicKey: string): Promise<void> {
    const broken = (reason: string, position?: string, eventId?: string) => new ChainBrokenError(head, reason, position ?? null, eventId ?? null);
    const { rows } = await this.pool.query(SQL.signedAtOrBefore, [head.tenant_id, head.stream_revision]);
    const previous = rows[0] as SignedHead | undefined;
    if (previous && !verifyHead(previous, previous.signature, publicKey)) {
      throw broken(`the signature of the head signed at revision ${previous.stream_revision} does not verify`);
    }
    if (previous?.stream_revision === head.stream_revision) {
      if (previous.hash === head.hash && previous.position === head.position) return; // already verified and signed
      throw broken(`revision ${head.stream_revision} was signed with hash ${previous.hash} at position ${previous.position}, not ${head.hash} at ${head.position}`);
    }
    const until = BigInt(head.stream_revision);
    let revision = previous ? BigInt(previous.stream_revision) + 1n : 0n;
    let hash = previous?.hash ?? GENESIS_HASH;
    let position: string | null = null;
    while (revision <= until) {
      const remaining = until - revision + 1n;
      const maxCount = remaining < BigInt(CHAIN_VERIFY_PAGE_EVENTS) ? Number(remaining) : CHAIN_VERIFY_PAGE_EVENTS;
      const page = await this.store.readStream(ledgerStream(head.tenant_id), { fromRevision: revision, maxCount });
      if (page.length === 0) throw broken(`the stream ends before revision ${revision}`);
      const gap = page.findIndex((event, i) => event.revision !== revision + BigInt(i));
      if (gap >= 0) throw broken(`revision ${revision + BigInt(gap)} is missing`, page[gap].position.toString(), page[gap].id);
      const check = verifyChain(page, hash);
      if (!check.ok) throw broken(check.reason, check.position, check.event_id);
      hash = check.head;
      position = page[page.length - 1].position.toString();
      revision += BigInt(page.length);
    }
    if (hash !== head.hash) throw broken(`the stored chain ends in hash ${hash}, not the head's ${head.hash}`);
    if (position !== head.position) throw broken(`the event at revision ${head.stream_revision} is at position ${position}, not the head's ${head.position}`);
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
