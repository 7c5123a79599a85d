import { Pool } from 'pg';
import { MasterKey } from './signing.js';

/** Where sealed secrets rest: table, its key column, the sealed column. Named here, not assembled from input. */
const SEALED_COLUMNS = [
  { table: 'tenants', column: 'private_key_sealed' },
  { table: 'webhook_endpoints', column: 'secret_sealed' },
  { table: 'webhook_endpoints', column: 'previous_secret_sealed' },
] as const;

/** Values re-sealed per statement round; a start-up never holds more than this in memory. */
const RESEAL_BATCH_MAX = 500;

/**
 * Re-seals every value still in the v1 envelope (keyed by SHA-256 of the master key, no KDF) in
 * the v2 envelope (scrypt). Until it runs, a database backup lets a guess of a weak master key be
 * tested at SHA-256 speed. Each row is replaced only if it still holds the value that was read, so
 * processes starting together, or a rotation in between, lose nothing. A value this key cannot open
 * is left as it is and counted: it is reported, never a reason not to start.
 */
export async function resealLegacySecrets(pool: Pool, masterKey: MasterKey, log: (line: string) => void = () => undefined): Promise<{ resealed: number; unopened: number }> {
  let resealed = 0;
  let unopened = 0;
  for (const { table, column } of SEALED_COLUMNS) {
    const skipped: string[] = [];
    for (;;) {
      const { rows } = await pool.query(
        `select id, ${column} as sealed from ${table} where ${column} like 'v1.%' and not (id = any($1::uuid[])) limit ${RESEAL_BATCH_MAX}`,
        [skipped],
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        let plain: string;
        try {
          plain = masterKey.decrypt(row.sealed);
        } catch {
          skipped.push(row.id);
          unopened++;
          continue;
        }
        const updated = await pool.query(`update ${table} set ${column} = $3 where id = $1 and ${column} = $2`, [row.id, row.sealed, masterKey.encrypt(plain)]);
        resealed += updated.rowCount ?? 0;
      }
    }
  }
  if (resealed > 0) log(`re-sealed ${resealed} secret(s) from the v1 envelope to v2 (scrypt)`);
  if (unopened > 0) log(`WARNING: ${unopened} sealed secret(s) do not open with this master key; left as they are`);
  return { resealed, unopened };
}
