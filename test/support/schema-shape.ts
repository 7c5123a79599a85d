import { Client } from 'pg';

/**
 * The structure of a database's public schema as text, in a canonical order: every table with its
 * columns (type, nullability, default, identity), constraints and indexes, every function's
 * definition and every trigger. Two databases with the same shape were built alike, whatever the
 * path (fresh migrations, or an upgrade).
 */
export async function schemaShape(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const lines: string[] = [];
    const tables = await client.query(
      `select c.oid, c.relname from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' order by c.relname`,
    );
    for (const table of tables.rows) {
      lines.push(`table ${table.relname}`);
      const columns = await client.query(
        `select a.attname, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull, a.attidentity, pg_get_expr(d.adbin, d.adrelid) as def
           from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
          where a.attrelid = $1 and a.attnum > 0 and not a.attisdropped order by a.attnum`,
        [table.oid],
      );
      for (const c of columns.rows) lines.push(`  column ${c.attname} ${c.type}${c.attnotnull ? ' not null' : ''}${c.attidentity ? ` identity ${c.attidentity}` : ''}${c.def ? ` default ${c.def}` : ''}`);
      const constraints = await client.query(`select conname, pg_get_constraintdef(oid) as def from pg_constraint where conrelid = $1 order by conname`, [table.oid]);
      for (const c of constraints.rows) lines.push(`  constraint ${c.conname} ${c.def}`);
      const indexes = await client.query(`select pg_get_indexdef(indexrelid) as def from pg_index where indrelid = $1 order by 1`, [table.oid]);
      for (const i of indexes.rows) lines.push(`  ${i.def}`);
    }
    const functions = await client.query(`select pg_get_functiondef(oid) as def from pg_proc where pronamespace = 'public'::regnamespace order by proname, pg_get_function_identity_arguments(oid)`);
    for (const f of functions.rows) lines.push(f.def);
    const triggers = await client.query(`select pg_get_triggerdef(t.oid) as def from pg_trigger t join pg_class c on c.oid = t.tgrelid where not t.tgisinternal and c.relnamespace = 'public'::regnamespace order by 1`);
    for (const t of triggers.rows) lines.push(t.def);
    return lines.join('\n');
  } finally {
    await client.end();
  }
}
