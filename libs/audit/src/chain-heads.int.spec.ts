import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '../../../test/support/database.js';
import { waitFor } from '../../../test/support/wait.js';
import { ChainHeadSigner } from './chain-heads.js';
import { generateTenantKeys, legacySealingKey, MasterKey, sealWith, verifyHead } from './signing.js';

describe('ChainHeadSigner', () => {
  let db: TestDatabase;
  let pool: Pool;
  const master = new MasterKey('chain-head-test-master-key');
  const noLog = { readLastEvent: async () => null };

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 4 });
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('signs a head that failed to sign on a later flush (it is not lost)', async () => {
    const lines: string[] = [];
    const signer = new ChainHeadSigner(pool, noLog, master, 20, (line) => lines.push(line)).start();
    const tenantId = randomUUID();
    const head = { tenant_id: tenantId, stream_revision: '4', position: '17', hash: 'ab'.repeat(32) };
    try {
      // The tenant (and its key) is not there yet: the first attempts fail.
      signer.appended(head);
      await waitFor('a failed attempt', () => lines.length > 0);
      expect(lines[0]).toContain('could not sign');
      const keys = generateTenantKeys();
      await pool.query(`insert into tenants (id, name, public_key, private_key_sealed) values ($1, 't', $2, $3)`, [tenantId, keys.publicKeyPem, master.encrypt(keys.privateKeyPem)]);
      const signed = await waitFor('the head to be signed', async () => (await pool.query(`select * from chain_heads where tenant_id = $1`, [tenantId])).rows[0]);
      expect(signed).toMatchObject({ stream_revision: '4', position: '17', hash: head.hash });
      expect(verifyHead(head, signed.signature, keys.publicKeyPem)).toBe(true);
    } finally {
      await signer.stop();
    }
  });

  it('signs with a private key sealed before the KDF (a v1 envelope in the tenants table)', async () => {
    const signer = new ChainHeadSigner(pool, noLog, master, 20).start();
    const tenantId = randomUUID();
    const head = { tenant_id: tenantId, stream_revision: '1', position: '3', hash: 'cd'.repeat(32) };
    try {
      const keys = generateTenantKeys();
      const sealedV1 = sealWith('v1', legacySealingKey('chain-head-test-master-key'), keys.privateKeyPem);
      await pool.query(`insert into tenants (id, name, public_key, private_key_sealed) values ($1, 't', $2, $3)`, [tenantId, keys.publicKeyPem, sealedV1]);
      signer.appended(head);
      const signed = await waitFor('the head to be signed', async () => (await pool.query(`select * from chain_heads where tenant_id = $1`, [tenantId])).rows[0]);
      expect(verifyHead(head, signed.signature, keys.publicKeyPem)).toBe(true);
    } finally {
      await signer.stop();
    }
  });
});
