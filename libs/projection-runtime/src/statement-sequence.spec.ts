import { PoolClient } from 'pg';
import { BatchedStatement, StatementSequence } from './projection.js';

/** Records the statements a sequence sends: which statement, with which rows (first column). */
function recorder() {
  const sent: { sql: string; ids: unknown[] }[] = [];
  const tx = { query: async (text: string, values: unknown[][]) => void sent.push({ sql: text, ids: values[0] }) } as unknown as PoolClient;
  return { tx, sent };
}

const INSERT: BatchedStatement = { sql: 'insert', width: 2 };
const UPDATE: BatchedStatement = { sql: 'update', width: 2 };

describe('StatementSequence', () => {
  it('sends a run of rows for one statement as one statement, in event order across statements', async () => {
    const { tx, sent } = recorder();
    const sequence = new StatementSequence();
    await sequence.add(tx, INSERT, 'a', ['a', 1]);
    await sequence.add(tx, INSERT, 'b', ['b', 2]);
    await sequence.add(tx, UPDATE, 'a', ['a', 3]);
    await sequence.add(tx, UPDATE, 'b', ['b', 4]);
    await sequence.add(tx, INSERT, 'c', ['c', 5]);
    await sequence.flush(tx);
    expect(sent).toEqual([
      { sql: 'insert', ids: ['a', 'b'] },
      { sql: 'update', ids: ['a', 'b'] },
      { sql: 'insert', ids: ['c'] },
    ]);
  });

  it('never puts two rows for one key in one statement (an update cannot apply both in order)', async () => {
    const { tx, sent } = recorder();
    const sequence = new StatementSequence();
    await sequence.add(tx, UPDATE, 'a', ['a', 'frozen']);
    await sequence.add(tx, UPDATE, 'b', ['b', 'frozen']);
    await sequence.add(tx, UPDATE, 'a', ['a', 'active']);
    await sequence.flush(tx);
    expect(sent).toEqual([
      { sql: 'update', ids: ['a', 'b'] },
      { sql: 'update', ids: ['a'] },
    ]);
  });

  it('sends nothing when nothing was added, and starts over after a flush', async () => {
    const { tx, sent } = recorder();
    const sequence = new StatementSequence();
    await sequence.flush(tx);
    expect(sent).toEqual([]);
    await sequence.add(tx, INSERT, 'a', ['a', 1]);
    await sequence.flush(tx);
    await sequence.add(tx, INSERT, 'a', ['a', 1]);
    await sequence.flush(tx);
    expect(sent).toEqual([
      { sql: 'insert', ids: ['a'] },
      { sql: 'insert', ids: ['a'] },
    ]);
  });
});
