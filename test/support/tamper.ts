import { Client } from 'pg';
import { EVENTS_APPEND_ONLY_TRIGGER } from '#event-store/postgres/append-only.js';

/**
 * Rewrites the stored log the way only someone who owns the table can: the append-only trigger
 * disabled for this one transaction (other sessions never see it off: the ALTER's lock is held
 * to commit). For tests of what catches a rewritten log (evidence, the chain-head signer).
 */
export async function tamperWithLog(url: string, sql: string, params: unknown[] = []): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(`alter table events disable trigger ${EVENTS_APPEND_ONLY_TRIGGER}`);
    const result = await client.query(sql, params);
    await client.query(`alter table events enable trigger ${EVENTS_APPEND_ONLY_TRIGGER}`);
    await client.query('commit');
    return result.rowCount ?? 0;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
