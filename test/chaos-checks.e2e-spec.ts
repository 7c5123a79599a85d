/**
 * The chaos run's log checks (test/chaos/chaos.ts `checkLog`) catch what they claim to: a log
 * built through the real API, then rewritten through the table owner's connection (the
 * append-only trigger off for that one transaction) in each way a broken write path could leave
 * it, must be reported as exactly that.
 */
import { Pool } from 'pg';
import { Ack, checkLog, LogFindings } from './chaos/chaos.js';
import { TestLedger } from './support/ledger.js';
import { tamperWithLog } from './support/tamper.js';

/** Acknowledged postings per built log: the one tampered with sits between untouched others. */
const POSTINGS = 3;

describe('the chaos log checks', () => {
  let t: TestLedger;
  let pool: Pool;

  beforeAll(async () => {
    t = await TestLedger.start();
    pool = new Pool({ connectionString: t.db.url, max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    await t.stop();
  });

  /** A tenant with POSTINGS acknowledged transfers between two non-negative customers, each under its own key. */
  async function builtLog() {
    const { key, tenantId, accounts } = await t.fundedTenant(2, '100');
    const acks: Ack[] = [];
    for (let i = 0; i < POSTINGS; i++) {
      const idempotencyKey = `checked-${tenantId}-${i}`;
      const posted = await t.transfer(key, accounts[0].id, accounts[1].id, '10', { 'Idempotency-Key': idempotencyKey });
      expect(posted.status).toBe(201);
      acks.push({ tenant: tenantId, key: idempotencyKey, id: posted.body.id });
    }
    const stream = `ledger-${tenantId}`;
    const check = async (): Promise<LogFindings> => {
      const findings: LogFindings = { lost: 0, duplicated: 0, violations: [] };
      await checkLog(pool, [{ id: tenantId }], acks, new Set(accounts.map((a: any) => a.id)), findings);
      return findings;
    };
    return { stream, acks, accounts, check };
  }

  it('find nothing wrong in an untouched log', async () => {
    const { check } = await builtLog();
    expect(await check()).toEqual({ lost: 0, duplicated: 0, violations: [] });
  });

  it('report an acknowledged command missing from the log as lost', async () => {
    const { stream, acks, check } = await builtLog();
    expect(await tamperWithLog(t.db.url, `delete from events where stream_id = $1 and metadata->>'idempotency_key' = $2`, [stream, acks[1].key])).toBeGreaterThan(0);
    expect(await check()).toEqual({ lost: 1, duplicated: 0, violations: [`acknowledged ${acks[1].key} (${acks[1].id}) is not in the log`] });
  });

  it('report a command recorded twice as duplicated', async () => {
    const { stream, acks, check } = await builtLog();
    const copied = await tamperWithLog(
      t.db.url,
      `insert into events (stream_id, stream_revision, event_id, type, data, metadata)
       select stream_id, (select max(stream_revision) from events where stream_id = $1) + row_number() over (order by stream_revision), gen_random_uuid(), type, data, metadata
         from events where stream_id = $1 and metadata->>'idempotency_key' = $2`,
      [stream, acks[0].key],
    );
    expect(copied).toBeGreaterThan(0);
    expect(await check()).toEqual({ lost: 0, duplicated: 1, violations: [`key ${acks[0].key} recorded twice in ${stream}`] });
  });

  it('report a currency that does not sum to zero', async () => {
    const { stream, acks, check } = await builtLog();
    await tamperWithLog(t.db.url, `update events set data = jsonb_set(data, '{entries,0,amount}', '"11"') where stream_id = $1 and metadata->>'idempotency_key' = $2 and type = 'ledger.entry.posted'`, [stream, acks[2].key]);
    expect(await check()).toEqual({ lost: 0, duplicated: 0, violations: [`${stream} USD sums to 1`] });
  });

  it('report a non-negative account below zero', async () => {
    const { stream, acks, accounts, check } = await builtLog();
    const [event] = await t.query(`select stream_revision::text as revision from events where stream_id = $1 and metadata->>'idempotency_key' = $2 and type = 'ledger.entry.posted'`, [stream, acks[1].key]);
    await tamperWithLog(t.db.url, `update events set data = jsonb_set(data, '{entries,0,balance_after,available}', '"-5"') where stream_id = $1 and stream_revision = $2`, [stream, event.revision]);
    expect(await check()).toEqual({ lost: 0, duplicated: 0, violations: [`${accounts[0].id} below zero at ${stream}@${event.revision}`] });
  });

  it('report an event stamped by a clock beyond the skew allowance', async () => {
    const { stream, acks, check } = await builtLog();
    const [event] = await t.query(`select stream_revision::text as revision from events where stream_id = $1 and metadata->>'idempotency_key' = $2`, [stream, acks[0].key]);
    await tamperWithLog(
      t.db.url,
      `update events set metadata = jsonb_set(metadata, '{occurred_at}', to_jsonb(to_char((created_at + interval '30 seconds') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))) where stream_id = $1 and stream_revision = $2`,
      [stream, event.revision],
    );
    const findings = await check();
    expect({ lost: findings.lost, duplicated: findings.duplicated, violations: findings.violations.length }).toEqual({ lost: 0, duplicated: 0, violations: 1 });
    expect(findings.violations[0]).toMatch(new RegExp(`^${stream}@${event.revision} occurred_at .* is (29999|30000) ms from its created_at`)); // to_char keeps whole ms
  });
});
