import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Pool } from 'pg';
import { inTransaction } from '#database/database.js';
import { generateTenantKeys, MasterKey } from '#audit/index.js';
import { Principal, Role, TenantStatus } from './roles.js';

const KEY_PREFIX = 'zl_';
/** What every issued key looks like: a token of another shape is refused without a database lookup. */
const KEY_SHAPE = /^zl_[A-Za-z0-9_-]{43}$/;
/**
 * Resolved keys are cached this long in each process. A revoked or expired key, or a suspended
 * tenant, therefore stops working on every process within this window (the contract says 2 s),
 * with no cross-process messaging to lose; it costs one indexed lookup per key per second.
 */
export const KEY_CACHE_TTL_MS = 1_000;
const KEY_CACHE_MAX = 10_000;
/** How often the keys used since the last write get their `last_used_at` (one UPDATE for all of them). */
export const LAST_USED_FLUSH_MS = 10_000;
/** Keys listed per page of GET /api-keys at most. */
export const API_KEYS_PAGE_MAX = 1_000;

const KEY_COLUMNS = `id, name, role, key_prefix, created_at, created_by, last_used_at, expires_at, revoked_at`;

const SQL = {
  insertTenant: `insert into tenants (id, name, public_key, private_key_sealed) values ($1, $2, $3, $4) returning created_at`,
  insertKey: `insert into api_keys (id, tenant_id, role, name, key_hash, key_prefix, created_by, expires_at)
              values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${KEY_COLUMNS}`,
  byHash: `select k.id, k.tenant_id, k.role, k.expires_at, t.status
             from api_keys k join tenants t on t.id = k.tenant_id
            where k.key_hash = $1 and k.revoked_at is null and (k.expires_at is null or k.expires_at > now())`,
  /** The issuing key, only while it may still act: not revoked, not expired, in its tenant. */
  activeIssuer: `select expires_at from api_keys
                  where id = $1 and tenant_id = $2 and revoked_at is null and (expires_at is null or expires_at > now())`,
  /** Oldest first; the cursor is the last row's creation time in microseconds (exact) and id. */
  list: `select ${KEY_COLUMNS}, (extract(epoch from created_at) * 1000000)::bigint::text as created_us from api_keys
          where tenant_id = $1 and ($2::bigint is null or (created_at, id) > (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::uuid))
          order by created_at, id limit $4`,
  lockTenant: `select status from tenants where id = $1 for update`,
  keyOfTenant: `select ${KEY_COLUMNS}, tenant_id from api_keys where id = $1`,
  otherActiveAdmins: `select count(*)::int as n from api_keys
                       where tenant_id = $1 and id <> $2 and role = 'admin' and revoked_at is null
                         and (expires_at is null or expires_at > now())`,
  revoke: `update api_keys set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${KEY_COLUMNS}`,
  touch: `update api_keys set last_used_at = now() where id = any($1::uuid[])`,
  setStatus: `update tenants set status = $2 where id = $1 returning id, name, status`,
};

export interface IssuedKey {
  id: string;
  key: string;
  role: Role;
  name: string | null;
  expires_at: string | null;
}

/** A key as GET /api-keys shows it: never the key itself, only its first characters. */
export interface ApiKeyView {
  id: string;
  name: string | null;
  role: Role;
  prefix: string;
  created_at: string;
  created_by: string | null;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

/** Where a page of keys ends: creation time in microseconds since the epoch (signed) and id. */
export interface KeyCursor {
  created_us: string;
  id: string;
}

export interface TenantView {
  id: string;
  name: string;
  status: TenantStatus;
}

/** Why a key could not be issued or revoked; the API turns these into its errors. */
export type KeyRefusal =
  | { code: 'not_found' }
  | { code: 'last_admin_key' }
  | { code: 'outlives_creator'; creator_expires_at: string }
  /** The issuing key was revoked or expired, or its tenant suspended, after the request was let in. */
  | { code: 'issuer_inactive' }
  | { code: 'tenant_suspended' };

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

function iso(value: unknown): string | null {
  return value ? new Date(value as string).toISOString() : null;
}

function keyView(row: any): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.key_prefix,
    created_at: iso(row.created_at)!,
    created_by: row.created_by,
    last_used_at: iso(row.last_used_at),
    expires_at: iso(row.expires_at),
    revoked_at: iso(row.revoked_at),
  };
}

interface CachedKey {
  principal: Principal | null;
  /** Milliseconds since the epoch after which the entry is looked up again. */
  fresh_until: number;
}

/** Tenants and API keys. The plain key exists only in the response that issues it. */
export class ApiKeyService {
  private readonly cache = new Map<string, CachedKey>();
  /** Keys authenticated since the last flush of `last_used_at`. */
  private readonly used = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly adminToken: string,
    private readonly masterKey: MasterKey,
  ) {}

  start(): this {
    this.flushTimer = setInterval(() => void this.flushLastUsed(), LAST_USED_FLUSH_MS);
    this.flushTimer.unref();
    return this;
  }

  async stop(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = null;
    await this.flushLastUsed();
  }

  /** Writes `last_used_at` of every key used since the last flush, in one statement. */
  async flushLastUsed(): Promise<void> {
    if (this.used.size === 0) return;
    const ids = [...this.used];
    this.used.clear();
    await this.pool.query(SQL.touch, [ids]).catch(() => ids.forEach((id) => this.used.add(id)));
  }

  async createTenant(name: string): Promise<{ id: string; name: string; status: TenantStatus; created_at: string; api_key: IssuedKey }> {
    return inTransaction(this.pool, async (client) => {
      const id = randomUUID();
      const keys = generateTenantKeys();
      const { rows } = await client.query(SQL.insertTenant, [id, name, keys.publicKeyPem, this.masterKey.encrypt(keys.privateKeyPem)]);
      const apiKey = await this.insertKey(client, id, 'admin', 'bootstrap admin', null, 'platform_admin');
      return { id, name, status: 'active' as const, created_at: new Date(rows[0].created_at).toISOString(), api_key: apiKey };
    });
  }

  /**
   * Issues a key in the caller's tenant. A key that expires cannot mint one that outlives it:
   * without an `expires_at` the new key inherits the creator's, and a later one is refused.
   */
  async createKey(
    tenantId: string,
    role: Role,
    name: string | null,
    expiresAt: string | null,
    creator: { key_id: string; actor: string },
  ): Promise<IssuedKey | KeyRefusal> {
    // Under the tenant's row lock, like a revocation: a key revoked (or a tenant suspended) a moment
    // ago, on any process, cannot issue a key that would outlive its revocation. The cached
    // principal that let the request in may be up to a second old; this reads the truth.
    return inTransaction(this.pool, async (client): Promise<IssuedKey | KeyRefusal> => {
      const tenant = await client.query(SQL.lockTenant, [tenantId]);
      if (tenant.rows[0]?.status !== 'active') return { code: 'tenant_suspended' };
      const { rows } = await client.query(SQL.activeIssuer, [creator.key_id, tenantId]);
      if (rows.length === 0) return { code: 'issuer_inactive' };
      const creatorExpiry: string | null = iso(rows[0].expires_at);
      if (creatorExpiry !== null) {
        if (expiresAt === null) expiresAt = creatorExpiry;
        else if (Date.parse(expiresAt) > Date.parse(creatorExpiry)) return { code: 'outlives_creator', creator_expires_at: creatorExpiry };
      }
      return this.insertKey(client, tenantId, role, name, expiresAt, creator.actor);
    });
  }

  private async insertKey(
    db: Pick<Pool, 'query'>,
    tenantId: string,
    role: Role,
    name: string | null,
    expiresAt: string | null,
    createdBy: string,
  ): Promise<IssuedKey> {
    const id = randomUUID();
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const { rows } = await db.query(SQL.insertKey, [id, tenantId, role, name, hashKey(key), key.slice(0, 8), createdBy, expiresAt]);
    return { id, key, role, name, expires_at: iso(rows[0].expires_at) };
  }

  /** The tenant's keys, oldest first, after the cursor (the `cursor` of the last key of the previous page). */
  async listKeys(tenantId: string, after: KeyCursor | null, limit: number): Promise<{ key: ApiKeyView; cursor: KeyCursor }[]> {
    const { rows } = await this.pool.query(SQL.list, [tenantId, after?.created_us ?? null, after?.id ?? null, Math.min(limit, API_KEYS_PAGE_MAX)]);
    return rows.map((row) => ({ key: keyView(row), cursor: { created_us: row.created_us, id: row.id } }));
  }

  /** A key with its tenant, for the tenant check (another tenant's key answers like a missing one). */
  async findKey(id: string): Promise<{ view: ApiKeyView; tenant_id: string } | null> {
    const { rows } = await this.pool.query(SQL.keyOfTenant, [id]);
    return rows.length ? { view: keyView(rows[0]), tenant_id: rows[0].tenant_id } : null;
  }

  /**
   * Revokes a key of the tenant (revoking a revoked key answers it unchanged). The tenant's row
   * is locked first, so two admins revoking each other's keys at once cannot leave it with none.
   */
  async revokeKey(tenantId: string, keyId: string): Promise<ApiKeyView | KeyRefusal> {
    const revoked = await inTransaction(this.pool, async (client): Promise<ApiKeyView | KeyRefusal> => {
      await client.query(SQL.lockTenant, [tenantId]);
      const { rows } = await client.query(SQL.keyOfTenant, [keyId]);
      if (!rows.length || rows[0].tenant_id !== tenantId) return { code: 'not_found' };
      if (rows[0].role === 'admin' && rows[0].revoked_at === null) {
        const others = await client.query(SQL.otherActiveAdmins, [tenantId, keyId]);
        if (others.rows[0].n === 0) return { code: 'last_admin_key' };
      }
      return keyView((await client.query(SQL.revoke, [keyId])).rows[0]);
    });
    this.forget((principal) => principal.kind === 'api_key' && principal.key_id === keyId);
    return revoked;
  }

  /** Suspends or resumes a tenant; null when there is no such tenant. */
  async setTenantStatus(tenantId: string, status: TenantStatus): Promise<TenantView | null> {
    const { rows } = await this.pool.query(SQL.setStatus, [tenantId, status]);
    this.forget((principal) => principal.kind === 'api_key' && principal.tenant_id === tenantId);
    return rows.length ? { id: rows[0].id, name: rows[0].name, status: rows[0].status } : null;
  }

  /**
   * Resolves a bearer token to who is calling, or null when it is unknown, revoked or expired.
   * With `mayLookUp` false only what this process knows answers (no database lookup).
   */
  async authenticate(token: string, mayLookUp = true): Promise<Principal | null> {
    if (this.isAdminToken(token)) return { kind: 'platform_admin' };
    if (!KEY_SHAPE.test(token)) return null;
    const hash = hashKey(token);
    const cacheKey = hash.toString('base64');
    const now = Date.now();
    const cached = this.cache.get(cacheKey);
    let principal: Principal | null;
    if (cached && cached.fresh_until > now) principal = cached.principal;
    // Without a lookup budget only keys this process has seen valid are looked up again (a stale
    // entry is refreshed, so a revocation still shows): a flood of random tokens costs nothing,
    // and a known key keeps working however long the flood lasts.
    else if (!mayLookUp && !cached?.principal) return null;
    else {
      const { rows } = await this.pool.query({ name: 'api_key_by_hash', text: SQL.byHash, values: [hash] });
      const row = rows[0];
      principal = row ? { kind: 'api_key', key_id: row.id, tenant_id: row.tenant_id, role: row.role, tenant_status: row.status } : null;
      const expires = row?.expires_at ? new Date(row.expires_at).getTime() : Infinity;
      // Full: the oldest entry goes (a flood of unknown tokens must not evict every valid key at once).
      this.cache.delete(cacheKey);
      if (this.cache.size >= KEY_CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(cacheKey, { principal, fresh_until: Math.min(now + KEY_CACHE_TTL_MS, expires) });
    }
    if (principal?.kind === 'api_key') this.used.add(principal.key_id);
    return principal;
  }

  private forget(matches: (principal: Principal) => boolean): void {
    for (const [key, entry] of this.cache) if (entry.principal && matches(entry.principal)) this.cache.delete(key);
  }

  private isAdminToken(token: string): boolean {
    const a = Buffer.from(token);
    const b = Buffer.from(this.adminToken);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
