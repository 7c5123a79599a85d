import { PoolClient } from 'pg';
import { namedStatements, statementName } from './projection.js';

describe('namedStatements', () => {
  it('runs a query with values as a prepared statement named after its text; other queries pass through', async () => {
    const seen: unknown[][] = [];
    const tx = { query: async (...args: unknown[]) => void seen.push(args), release: () => 'released' } as unknown as PoolClient;
    const named = namedStatements(tx);
    await named.query('update t set x = $1', [1]);
    await named.query('begin; set local synchronous_commit = off');
    await named.query({ name: 'given', text: 'select 1', values: [] });
    expect(seen).toEqual([
      [{ name: statementName('update t set x = $1'), text: 'update t set x = $1', values: [1] }],
      ['begin; set local synchronous_commit = off', undefined],
      [{ name: 'given', text: 'select 1', values: [] }, undefined],
    ]);
    expect(statementName('update t set x = $1')).not.toBe(statementName('update t set x = $2'));
    expect((named as any).release()).toBe('released'); // everything else is the transaction's own
  });
});
