import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '../../../test/support/database.js';
import { resealLegacySecrets } from './reseal.js';
import { generateTenantKeys, legacySealingKey, MasterKey, sealWith } from './signing.js';

describe('resealLegacySecrets', () => {
  const SECRET = 'reseal-test-master-key-0123';
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('re-seals every v1 value as v2 with the same content, leaves what it cannot open, and is idempotent', async () => {
    const master = new MasterKey(SECRET);
    const v1 = (plain: string, secret = SECRET) => sealWith('v1', legacySealingKey(secret), plain);
    const keys = generateTenantKeys();
    const tenant = randomUUID();
    const foreign = randomUUID();
    const current = randomUUID();
    await pool.query(`insert into tenants (id, name, public_key, private_key_sealed) values ($1, 'old', $2, $3), ($4, 'other key', $2, $5), ($6, 'new', $2, $7)`, [
      tenant, keys.publicKeyPem, v1(keys.privateKeyPem), foreign, v1('sealed under another master key', 'another-master-key-0123456'), current, master.encrypt('already v2'),
    ]);
    const endpoint = randomUUID();
    await pool.query(
      `insert into webhook_endpoints (id, tenant_id, url, events, status, secret_sealed, previous_secret_sealed) values ($1, $2, 'https://example.com', '{*}', 'enabled', $3, $4)`,
      [endpoint, tenant, v1('whsec_current'), v1('whsec_previous')],
    );
    const v2Before = (await pool.query(`select private_key_sealed from tenants where id = $1`, [current])).rows[0].private_key_sealed;

    const lines: string[] = [];
    expect(await resealLegacySecrets(pool, master, (line) => lines.push(line))).toEqual({ resealed: 3, unopened: 1 });
    const tenantRow = (await pool.query(`select private_key_sealed from tenants where id = $1`, [tenant])).rows[0];
    expect(tenantRow.private_key_sealed).toMatch(/^v2\./);
    expect(master.decrypt(tenantRow.private_key_sealed)).toBe(keys.privateKeyPem);
    const endpointRow = (await pool.query(`select secret_sealed, previous_secret_sealed from webhook_endpoints where id = $1`, [endpoint])).rows[0];
    expect([endpointRow.secret_sealed.slice(0, 3), endpointRow.previous_secret_sealed.slice(0, 3)]).toEqual(['v2.', 'v2.']);
    expect([master.decrypt(endpointRow.secret_sealed), master.decrypt(endpointRow.previous_secret_sealed)]).toEqual(['whsec_current', 'whsec_previous']);
    // What this key cannot open is left exactly as it was, and said; v2 values are not touched.
    expect((await pool.query(`select private_key_sealed from tenants where id = $1`, [foreign])).rows[0].private_key_sealed).toMatch(/^v1\./);
    expect((await pool.query(`select private_key_sealed from tenants where id = $1`, [current])).rows[0].private_key_sealed).toBe(v2Before);
    expect(lines.join('\n')).toMatch(/re-sealed 3 .*\n.*1 sealed secret\(s\) do not open/);
    expect(lines.join('\n')).not.toContain(SECRET);

    expect(await resealLegacySecrets(pool, master)).toEqual({ resealed: 0, unopened: 1 });
  });
});
