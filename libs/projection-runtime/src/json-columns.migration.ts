import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `jsonb_column(json array)` -> jsonb[] in the array's order: projections send a batch's JSON
 * column as one JSON array (ColumnBatch) and unnest it next to their typed arrays.
 */
export class JsonColumns1700000001500 implements MigrationInterface {
  name = 'JsonColumns1700000001500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create function jsonb_column(p jsonb) returns jsonb[] language sql immutable parallel safe as $$
        select coalesce(array_agg(t.v order by t.i), '{}') from jsonb_array_elements(p) with ordinality as t(v, i)
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop function jsonb_column(jsonb)`);
  }
}
