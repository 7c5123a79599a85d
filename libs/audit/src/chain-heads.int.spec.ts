import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '../../../test/support/database.js';
import { tamperWithLog } from '../../../test/support/tamper.js';
import { waitFor } from '../../../test/support/wait.js';
import { ledgerStream, PostgresEventStore, ReadStreamOptions } from '#event-store/index.js';
import { ChainBrokenError, ChainHeadSigner } from './chain-heads.js';
import { GENESIS_HASH, linkEvent } from './hash-chain.js';
import { ChainHead, generateTenantKeys, legacySealingKey, MasterKey, sealWith, verifyHead } from './signing.js';

describe('ChainHeadSigner', () => {
  let db: TestDatabase;
  let pool: Pool;
  let log: PostgresEventStore;
  const master = new MasterKey('chain-head-test-master-key');
  /** The real store, counting the events the signer reads back to verify. */
  let eventsRead = 0;
  const store = {
    readLastEvent: (stream: string) => log.readLastEvent(stream),
    readStream: async (stream: string, options?: ReadStreamOptions) => {
      const events = await log.readStream(stream, options);
      eventsRead += events.length;
      return events;
    },
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 4 });
    log = new PostgresEventStore(pool);
  });

  afterAll(async () => {
    await log.close();
    await pool.end();
    await db.drop();
  });

  async function newTenant(): Promise<{ tenantId: string; publicKeyPem: string }> {
    const tenantId = randomUUID();
    const keys = generateTenantKeys();
    await pool.query(`insert into tenants (id, name, public_key, private_key_sealed) values ($1, 't', $2, $3)`, [tenantId, keys.publicKeyPem, master.encrypt(keys.privateKeyPem)]);
    return { tenantId, publicKeyPem: keys.publicKeyPem };
  }

  /** Appends `count` events linked as the writer links them; returns the head after them. */
  async function appendLinked(tenantId: string, count: number): Promise<ChainHead> {
    const stream = ledgerStream(tenantId);
    const last = await log.readLastEvent(stream);
    let prevHash = last ? String(last.metadata.hash) : GENESIS_HASH;
    const events = Array.from({ length: count }, (_, i) => {
      const data = { n: i, amount: String(100 + i) };
      const metadata: Record<string, unknown> = { tenant_id: tenantId, prev_hash: prevHash };
      metadata.hash = prevHash = linkEvent('test.linked', data, metadata, prevHash).hash;
      return { id: randomUUID(), type: 'test.linked', data, metadata };
    });
    const result = await log.append(stream, events, last ? last.revision : 'no_stream');
    return { tenant_id: tenantId, stream_revision: result.next_expected_revision.toString(), position: result.positions[count - 1].toString(), hash: prevHash };
  }

  const signedRevisions = async (tenantId: string) =>
    (await pool.query(`select stream_revision::int as r from chain_heads where tenant_id = $1 order by stream_revision`, [tenantId])).rows.map((row) => row.r);

  it('signs a head that failed to sign on a later flush (it is not lost)', async () => {
    const lines: string[] = [];
    const signer = new ChainHeadSigner(pool, store, master, 20, (line) => lines.push(line)).start();
    const tenantId = randomUUID();
    try {
      // The tenant (and its key) is not there yet: the first attempts fail.
      const keys = generateTenantKeys();
      const head = await appendLinked(tenantId, 5);
      signer.appended(head);
      await waitFor('a failed attempt', () => lines.length > 0);
      expect(lines[0]).toContain('could not sign');
      expect(lines[0]).not.toContain('CHAIN BROKEN');
      await pool.query(`insert into tenants (id, name, public_key, private_key_sealed) values ($1, 't', $2, $3)`, [tenantId, keys.publicKeyPem, master.encrypt(keys.privateKeyPem)]);
      const signed = await waitFor('the head to be signed', async () => (await pool.query(`select stream_revision::text, position::text, hash, signature from chain_heads where tenant_id = $1`, [tenantId])).rows[0]);
      expect(signed).toMatchObject({ stream_revision: '4', position: head.position, hash: head.hash });
      expect(verifyHead(head, signed.signature, keys.publicKeyPem)).toBe(true);
    } finally {
      await signer.stop();
    }
  });

  it('signs an untampered chain, reading back only the events since the last signed head', async () => {
    const signer = new ChainHeadSigner(pool, store, master);
    const { tenantId, publicKeyPem } = await newTenant();
    eventsRead = 0;
    const first = await signer.sign(await appendLinked(tenantId, 7));
    expect(verifyHead(first, first.signature, publicKeyPem)).toBe(true);
    expect(eventsRead).toBe(7); // from the stream's start
    eventsRead = 0;
    const second = await signer.sign(await appendLinked(tenantId, 3));
    expect(eventsRead).toBe(3); // from revision 7, after the head signed at 6
    expect(verifyHead(second, second.signature, publicKeyPem)).toBe(true);
    eventsRead = 0;
    await signer.sign(second); // signed already: nothing to read again
    expect(eventsRead).toBe(0);
    expect(await signedRevisions(tenantId)).toEqual([6, 9]);
    expect(signer.brokenTenants).toBe(0);
  });

  it('starts verifying from the newest signed head by number, not by its text ("9" sorts after "100")', async () => {
    const signer = new ChainHeadSigner(pool, store, master);
    const { tenantId } = await newTenant();
    await signer.sign(await appendLinked(tenantId, 10)); // head at revision 9
    await signer.sign(await appendLinked(tenantId, 91)); // head at revision 100
    eventsRead = 0;
    await signer.sign(await appendLinked(tenantId, 5));
    expect(eventsRead).toBe(5); // from revision 101 (from the head at "9" it would read 96)
    expect(await signedRevisions(tenantId)).toEqual([9, 100, 105]);
  });

  it('verifies in pages a chain longer than one read', async () => {
    const signer = new ChainHeadSigner(pool, store, master);
    const { tenantId } = await newTenant();
    await appendLinked(tenantId, 1_500);
    eventsRead = 0;
    const head = await signer.signCurrent(tenantId);
    expect(head).toMatchObject({ stream_revision: '1499' });
    expect(eventsRead).toBe(1_500);
  });

  it('never signs a tampered chain: logged, counted, retried with backoff, and signed again once it verifies', async () => {
    const lines: string[] = [];
    const signer = new ChainHeadSigner(pool, store, master, 20, (line) => lines.push(line)).start();
    const { tenantId } = await newTenant();
    try {
      const signedHead = await appendLinked(tenantId, 4);
      signer.appended(signedHead);
      await waitFor('the untampered head to be signed', async () => (await signedRevisions(tenantId)).includes(3));
      const unsigned = await appendLinked(tenantId, 4);
      // Rewritten after the last signed head and before the signer got to it.
      const rewritten = `update events set data = jsonb_set(data, '{amount}', '"999999"') where stream_id = $1 and stream_revision = 5`;
      expect(await tamperWithLog(db.url, rewritten, [ledgerStream(tenantId)])).toBe(1);
      signer.appended(unsigned);
      await waitFor('a refusal', () => lines.some((line) => line.includes('CHAIN BROKEN')));
      const [line] = lines.filter((l) => l.includes('CHAIN BROKEN'));
      expect(line).toContain(`tenant ${tenantId}`);
      expect(line).toContain('does not match the event');
      expect(line).not.toMatch(/PRIVATE KEY|chain-head-test-master-key/);
      expect(signer.brokenTenants).toBe(1);
      // Retried with backoff, never signed.
      await waitFor('a second refusal', () => lines.filter((l) => l.includes('CHAIN BROKEN')).length >= 2);
      expect(await signedRevisions(tenantId)).toEqual([3]);
      await expect(signer.signCurrent(tenantId)).rejects.toMatchObject({ name: 'ChainBrokenError', position: expect.any(String), event_id: expect.any(String) });
      expect(await signedRevisions(tenantId)).toEqual([3]);

      // Put back as it was (revision 5 is the second append's n = 1): the chain verifies again and its head is signed.
      const restored = `update events set data = jsonb_set(data, '{amount}', '"101"') where stream_id = $1 and stream_revision = 5`;
      expect(await tamperWithLog(db.url, restored, [ledgerStream(tenantId)])).toBe(1);
      await waitFor('the head to be signed after the repair', async () => (await signedRevisions(tenantId)).includes(7), 90_000);
      expect(signer.brokenTenants).toBe(0);
      expect(signer.refusedHeads).toBeGreaterThanOrEqual(3);
    } finally {
      await signer.stop();
    }
  }, 120_000);

  it('refuses a head whose stored chain is consistent but not the one that was appended (rehashed, or cut short)', async () => {
    const signer = new ChainHeadSigner(pool, store, master);
    const { tenantId } = await newTenant();
    await signer.sign(await appendLinked(tenantId, 2));
    const head = await appendLinked(tenantId, 2);
    // The last event rewritten with its hash recomputed: the stored chain is internally sound,
    // but it does not end in the head the append reported.
    const stream = ledgerStream(tenantId);
    const [last] = await log.readStream(stream, { fromRevision: 3n, maxCount: 1 });
    const data = { ...last.data, amount: '1' };
    const metadata = { ...last.metadata, hash: linkEvent(last.type, data, last.metadata, String(last.metadata.prev_hash)).hash };
    await tamperWithLog(db.url, `update events set data = $2, metadata = $3 where event_id = $1`, [last.id, data, metadata]);
    const refused = await signer.sign(head).catch((error) => error);
    expect(refused).toBeInstanceOf(ChainBrokenError);
    expect(refused.message).toContain(`not the head's ${head.hash}`);

    // The last event removed: the stream ends before the head.
    await tamperWithLog(db.url, `delete from events where event_id = $1`, [last.id]);
    await expect(signer.sign(head)).rejects.toThrow('the stream ends before revision 3');
    expect(await signedRevisions(tenantId)).toEqual([1]);
    expect(signer.refusedHeads).toBe(2);
  });

  it('signs with a private key sealed before the KDF (a v1 envelope in the tenants table)', async () => {
    const signer = new ChainHeadSigner(pool, store, master);
    const tenantId = randomUUID();
    const keys = generateTenantKeys();
    const sealedV1 = sealWith('v1', legacySealingKey('chain-head-test-master-key'), keys.privateKeyPem);
    await pool.query(`insert into tenants (id, name, public_key, private_key_sealed) values ($1, 't', $2, $3)`, [tenantId, keys.publicKeyPem, sealedV1]);
    const signed = await signer.sign(await appendLinked(tenantId, 2));
    expect(verifyHead(signed, signed.signature, keys.publicKeyPem)).toBe(true);
  });
});
