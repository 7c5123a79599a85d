import { Pool } from 'pg';
import { EventStore, RecordedEvent } from '#event-store/index.js';
import { countEventsBehind, LAG_MARKS_AGE_MS_MAX, LAG_MARKS_MAX, lagMarksHeld } from './lag-counts.js';
import { projectionLag } from './projection-lag.js';

/**
 * A log counted the way EventStoreDB counts: by reading every event between the two positions.
 * Positions are sparse (offsets, not counts). `read` is how many events countEvents has read.
 */
class ScanningLog {
  readonly positions: bigint[] = [];
  read = 0;
  calls: [bigint, bigint][] = [];

  append(count: number): this {
    for (let i = 0; i < count; i++) {
      const last = this.positions[this.positions.length - 1] ?? 0n;
      this.positions.push(last + 7n + BigInt(this.positions.length % 5));
    }
    return this;
  }

  head(): bigint {
    return this.positions[this.positions.length - 1] ?? 0n;
  }

  /** The position after `events` events (0: before the first). */
  at(events: number): bigint {
    return events === 0 ? 0n : this.positions[events - 1];
  }

  exact(after: bigint, upTo: bigint): bigint {
    return BigInt(this.positions.filter((p) => p > after && p <= upTo).length);
  }

  readonly store = {
    countEvents: async (after: bigint, upTo: bigint, cap: bigint): Promise<bigint> => {
      this.calls.push([after, upTo]);
      let count = 0n;
      if (cap <= 0n || after >= upTo) return count;
      for (const position of this.positions) {
        if (position <= after) continue;
        if (position > upTo) break;
        this.read++;
        if (++count >= cap) break;
      }
      return count;
    },
    headPosition: async () => this.head(),
    readAll: async ({ afterPosition = 0n }: { afterPosition?: bigint } = {}): Promise<RecordedEvent[]> => {
      const position = this.positions.find((p) => p > afterPosition);
      return position === undefined ? [] : [{ position, created_at: new Date() } as RecordedEvent];
    },
  } as unknown as EventStore;
}

const directly = (log: ScanningLog, positions: bigint[], cap: bigint) =>
  new Map(positions.map((p) => {
    const exact = log.exact(p, log.head());
    return [p, exact < cap ? exact : cap];
  }));

describe('countEventsBehind', () => {
  it('gives what countEvents gives, over many calls with the log growing and checkpoints moving', async () => {
    let seed = 11;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const log = new ScanningLog().append(300);
    let checkpoints = [0, 0, 120, 250, 300].map((n) => log.at(n));
    const cap = 150n;
    let t = 0;
    for (let call = 0; call < 300; call++) {
      log.append(random(5) === 0 ? 160 : random(20));
      const events = log.positions.length;
      checkpoints = checkpoints.map((p) => {
        const kind = random(10);
        if (kind === 0) return 0n; // a rebuild starts over
        if (kind < 4) return p;
        const at = log.positions.indexOf(p) + 1;
        return log.at(Math.min(events, at + random(kind < 8 ? 30 : 400)));
      });
      if (random(30) === 0) t += LAG_MARKS_AGE_MS_MAX + 1;
      const counted = await countEventsBehind(log.store, checkpoints, log.head(), cap, t);
      expect(counted).toEqual(directly(log, checkpoints, cap));
    }
  });

  it('reads each stretch of the log once: again with nothing new reads nothing', async () => {
    const log = new ScanningLog().append(50_000);
    const checkpoints = [log.at(0), log.at(10_000), log.at(10_000), log.at(49_000)];
    const cap = 100_000n;

    await countEventsBehind(log.store, checkpoints, log.head(), cap, 0);
    // Once over the log from the lowest checkpoint, not once per distinct checkpoint (110,000 reads).
    expect(log.read).toBe(50_000);

    log.read = 0;
    expect(await countEventsBehind(log.store, checkpoints, log.head(), cap, 1_000)).toEqual(directly(log, checkpoints, cap));
    expect(log.read).toBe(0);
  });

  it('reads what was appended and what projections moved over since the last call', async () => {
    const log = new ScanningLog().append(50_000);
    await countEventsBehind(log.store, [log.at(0), log.at(20_000)], log.head(), 100_000n, 0);
    log.read = 0;

    log.append(300);
    const moved = [log.at(500), log.at(20_200)];
    expect(await countEventsBehind(log.store, moved, log.head(), 100_000n, 1_000)).toEqual(directly(log, moved, 100_000n));
    expect(log.read).toBe(300 + 500 + 200);
  });

  it('reports the cap beyond it, reading at most the cap for a checkpoint that far behind', async () => {
    const log = new ScanningLog().append(5_000);
    const checkpoints = [log.at(0), log.at(4_990)];

    const counted = await countEventsBehind(log.store, checkpoints, log.head(), 1_000n, 0);
    expect(counted).toEqual(new Map([[log.at(0), 1_000n], [log.at(4_990), 10n]]));
    // 10 for the checkpoint near the head, then up to the cap (not the 4,990 there are) for the other.
    expect(log.read).toBe(10 + 1_000);
  });

  it('starts over when more than the cap was appended since the last call', async () => {
    const log = new ScanningLog().append(100);
    await countEventsBehind(log.store, [log.at(50)], log.head(), 1_000n, 0);
    log.append(2_000);
    const checkpoints = [log.at(50), log.at(2_000)];
    log.calls = [];
    expect(await countEventsBehind(log.store, checkpoints, log.head(), 1_000n, 1)).toEqual(new Map([[log.at(50), 1_000n], [log.at(2_000), 100n]]));
    expect(log.calls[0]).toEqual([log.at(100), log.at(2_100)]);
  });

  it('counts afresh once the remembered counts are older than LAG_MARKS_AGE_MS_MAX', async () => {
    const log = new ScanningLog().append(1_000);
    const checkpoints = [log.at(0)];
    await countEventsBehind(log.store, checkpoints, log.head(), 10_000n, 0);
    log.read = 0;
    await countEventsBehind(log.store, checkpoints, log.head(), 10_000n, LAG_MARKS_AGE_MS_MAX);
    expect(log.read).toBe(0);
    await countEventsBehind(log.store, checkpoints, log.head(), 10_000n, LAG_MARKS_AGE_MS_MAX + 1);
    expect(log.read).toBe(1_000);
  });

  it('remembers at most the head and the checkpoints of the last call, and never more than LAG_MARKS_MAX', async () => {
    const log = new ScanningLog().append(1_000);
    await countEventsBehind(log.store, [log.at(10), log.at(20), log.at(30)], log.head(), 10_000n, 0);
    expect(lagMarksHeld(log.store)).toBe(4);
    await countEventsBehind(log.store, [log.at(25)], log.head(), 10_000n, 0);
    expect(lagMarksHeld(log.store)).toBe(2);

    const many = Array.from({ length: 500 }, (_, i) => log.at(i * 2));
    expect(await countEventsBehind(log.store, many, log.head(), 10_000n, 0)).toEqual(directly(log, many, 10_000n));
    expect(lagMarksHeld(log.store)).toBe(LAG_MARKS_MAX);
  });

  it('keeps the marks of the call that finishes first when two overlap', async () => {
    const log = new ScanningLog().append(1_000);
    const checkpoints = [log.at(100)];
    const [first, second] = await Promise.all([
      countEventsBehind(log.store, checkpoints, log.head(), 10_000n, 0),
      countEventsBehind(log.store, [log.at(200), log.at(300)], log.head(), 10_000n, 0),
    ]);
    expect(first).toEqual(directly(log, checkpoints, 10_000n));
    expect(second).toEqual(directly(log, [log.at(200), log.at(300)], 10_000n));
    expect(lagMarksHeld(log.store)).toBe(2);
  });
});

describe('projectionLag on a log that counts by reading', () => {
  const NAMES = ['accounts', 'entries', 'trial_balance', 'event_feed'];

  function checkpointTable(positions: Record<string, bigint>): Pool {
    const rows = () => Object.entries(positions).map(([name, position]) => ({ name, position: position.toString(), error: null, error_position: null, idle_seconds: 0 }));
    return { query: async () => ({ rows: rows() }) } as unknown as Pool;
  }

  it('does not read the backlog again on every /health call', async () => {
    const log = new ScanningLog().append(60_000);
    const positions: Record<string, bigint> = { accounts: log.at(1_000), entries: log.at(2_000), trial_balance: log.at(30_000), event_feed: log.at(60_000) };
    const pool = checkpointTable(positions);
    const thresholds = { events: 10_000n, seconds: 3_600 };

    const first = await projectionLag(pool, log.store, NAMES, thresholds);
    expect(first.accounts).toMatchObject({ lag_events: '59000', status: 'lagging' });
    expect(first.event_feed).toMatchObject({ lag_events: '0', status: 'ok' });
    expect(log.read).toBe(59_000);

    log.read = 0;
    for (let call = 0; call < 10; call++) {
      log.append(10);
      positions.accounts = log.at(1_000 + (call + 1) * 50);
      positions.event_feed = log.head();
      const lag = await projectionLag(pool, log.store, NAMES, thresholds);
      expect(lag.accounts.lag_events).toBe((60_000 + (call + 1) * 10 - 1_000 - (call + 1) * 50).toString());
      expect(lag.entries.lag_events).toBe((60_000 + (call + 1) * 10 - 2_000).toString());
      expect(lag.trial_balance.lag_events).toBe((30_000 + (call + 1) * 10).toString());
      expect(lag.event_feed.lag_events).toBe('0');
    }
    // Per call: 10 new events and the 50 the accounts projection moved over (was ~147,000 per call).
    expect(log.read).toBe(10 * (10 + 50));
  });
});
