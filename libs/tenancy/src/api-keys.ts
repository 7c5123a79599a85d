import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Pool } from 'pg';
import { generateTenantKeys, MasterKey } from '../../audit/src/index.js';
import { Principal, Role } from './roles.js';

const KEY_PREFIX = 'zl_';
/** Resolved keys are cached this long; a revoked key stops working within this window. */
const KEY_CACHE_TTL_MS = 30_000;
const KEY_CACHE_MAX = 10_000;

const SQL = {
  insertTenant: `insert into tenants (id, name, public_key, private_key_sealed) values ($1, $2, $3, $4) returning created_at`,
  insertKey: `insert into api_keys (id, tenant_id, role, name, key_hash, key_prefix) values ($1, $2, $3, $4, $5, $6)`,
  byHash: `select id, tenant_id, role from api_keys where key_hash = $1 and revoked_at is null`,
};

export interface IssuedKey {
  id: string;
  key: string;
  role: Role;
  name: string | null;
}

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** Tenants and API keys. The plain key exists only in the response that issues it. */
export class ApiKeyService {
  private readonly cache = new Map<string, { principal: Principal | null; expires: number }>();

  constructor(
    private readonly pool: Pool,
    private readonly adminToken: string,
    private readonly masterKey: MasterKey,
  ) {}

  async createTenant(name: string): Promise<{ id: string; name: string; created_at: string; api_key: IssuedKey }> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const id = randomUUID();
      const keys = generateTenantKeys();
      const { rows } = await client.query(SQL.insertTenant, [id, name, keys.publicKeyPem, this.masterKey.encrypt(keys.privateKeyPem)]);
      const apiKey = await this.insertKey(client, id, 'admin', 'bootstrap admin');
      await client.query('commit');
      return { id, name, created_at: new Date(rows[0].created_at).toISOString(), api_key: apiKey };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async createKey(tenantId: string, role: Role, name: string | null): Promise<IssuedKey> {
    return this.insertKey(this.pool, tenantId, role, name);
  }

  private async insertKey(db: Pick<Pool, 'query'>, tenantId: string, role: Role, name: string | null): Promise<IssuedKey> {
    const id = randomUUID();
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    await db.query(SQL.insertKey, [id, tenantId, role, name, hashKey(key), key.slice(0, 8)]);
    return { id, key, role, name };
  }

  /** Resolves a bearer token to who is calling, or null when it is unknown. */
  async authenticate(token: string): Promise<Principal | null> {
    if (this.isAdminToken(token)) return { kind: 'platform_admin' };
    if (!token.startsWith(KEY_PREFIX)) return null;
    const hash = hashKey(token);
    const cacheKey = hash.toString('base64');
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expires > Date.now()) return cached.principal;
    const { rows } = await this.pool.query({ name: 'api_key_by_hash', text: SQL.byHash, values: [hash] });
    const principal: Principal | null = rows.length
      ? { kind: 'api_key', key_id: rows[0].id, tenant_id: rows[0].tenant_id, role: rows[0].role }
      : null;
    if (this.cache.size >= KEY_CACHE_MAX) this.cache.clear();
    this.cache.set(cacheKey, { principal, expires: Date.now() + KEY_CACHE_TTL_MS });
    return principal;
  }

  private isAdminToken(token: string): boolean {
    const a = Buffer.from(token);
    const b = Buffer.from(this.adminToken);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
