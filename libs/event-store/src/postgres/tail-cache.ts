import { RecordedEvent } from '../event-store.port.js';

/** Events read after `after`: every event of the log in (after, last event], in order. */
interface Run {
  after: bigint;
  events: RecordedEvent[];
  /** Stored size of each event (its data and metadata), the measure of the byte bound. */
  sizes: number[];
  /** Their sum. */
  bytes: number;
}

/**
 * Pages of the log that readers have fetched, kept so that readers following the log a little
 * behind one another (the projections of a process) read and parse each event once instead of
 * once per reader. A page is complete from the position it was read after up to its last event
 * (committed events never change and the reader's gap rule admitted nothing later below it), so
 * pages that overlap or touch join into one complete run, and any slice of a run is a complete
 * answer. Runs stay few (consecutive pages touch), sorted and disjoint. Bounded by events, by
 * stored bytes (one posting may carry 512 entries) and by runs; the oldest events go first. The
 * store also adds what it appends: an append's events are a complete stretch of their own.
 */
export class TailCache {
  private runs: Run[] = [];
  private events = 0;
  private bytes = 0;

  constructor(
    private readonly maxEvents: number,
    private readonly maxBytes: number,
    /** Runs apart from one another (e.g. the appends of this process among those of others). */
    private readonly maxRuns = 256,
  ) {}

  /** Up to `maxCount` events after `after`, or null when no run holds the event after it. */
  take(after: bigint, maxCount: number): RecordedEvent[] | null {
    const run = this.covering(after);
    if (!run) return null;
    const from = firstAfter(run.events, after);
    return run.events.slice(from, from + maxCount);
  }

  /** A page read after `after` (its events in order, with their stored sizes). */
  add(after: bigint, events: RecordedEvent[], sizes: number[]): void {
    if (events.length === 0) return;
    const newest = this.runs[this.runs.length - 1];
    if (newest && newest.after <= after && after <= lastOf(newest)) {
      // Following the log: the page continues the newest run; only its new events are added.
      const from = firstAfter(events, lastOf(newest));
      for (let i = from; i < events.length; i++) this.keep(newest, events[i], sizes[i]);
    } else {
      this.join({ after, events: [], sizes: [], bytes: 0 }, events, sizes);
    }
    this.evictOldest();
  }

  /** Kept events and stored bytes (for tests and metrics). */
  get held(): { events: number; bytes: number; runs: number } {
    return { events: this.events, bytes: this.bytes, runs: this.runs.length };
  }

  private keep(run: Run, event: RecordedEvent, size: number): void {
    run.events.push(event);
    run.sizes.push(size);
    run.bytes += size;
    this.events++;
    this.bytes += size;
  }

  /** A page that starts elsewhere: joined with every run it overlaps or touches, kept in order. */
  private join(page: Run, events: RecordedEvent[], sizes: number[]): void {
    for (let i = 0; i < events.length; i++) this.keep(page, events[i], sizes[i]);
    let joined = page;
    const apart: Run[] = [];
    for (const run of this.runs) {
      if (run.after <= lastOf(joined) && joined.after <= lastOf(run)) {
        this.events -= run.events.length;
        this.bytes -= run.bytes;
        this.events -= joined.events.length;
        this.bytes -= joined.bytes;
        joined = union(joined, run);
        this.events += joined.events.length;
        this.bytes += joined.bytes;
      } else apart.push(run);
    }
    apart.push(joined);
    apart.sort((a, b) => (a.after < b.after ? -1 : a.after > b.after ? 1 : 0));
    this.runs = apart;
  }

  /** Drops the oldest runs beyond the bound on runs, then events from the front of the oldest run until both bounds hold; the rest stays complete. */
  private evictOldest(): void {
    while (this.runs.length > this.maxRuns) {
      const oldest = this.runs.shift()!;
      this.events -= oldest.events.length;
      this.bytes -= oldest.bytes;
    }
    while (this.runs.length > 0 && (this.events > this.maxEvents || this.bytes > this.maxBytes)) {
      const oldest = this.runs[0];
      let drop = 0;
      let events = this.events;
      let bytes = this.bytes;
      while (drop < oldest.events.length && (events > this.maxEvents || bytes > this.maxBytes)) {
        events--;
        bytes -= oldest.sizes[drop];
        drop++;
      }
      if (drop === oldest.events.length) this.runs.shift();
      else {
        oldest.after = oldest.events[drop - 1].position;
        oldest.events.splice(0, drop);
        oldest.bytes -= sum(oldest.sizes.splice(0, drop));
      }
      this.events = events;
      this.bytes = bytes;
    }
  }

  /** The run holding the event right after `position` (read after it or before, reaching past it). */
  private covering(position: bigint): Run | undefined {
    let low = 0;
    let high = this.runs.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.runs[mid].after <= position) low = mid + 1;
      else high = mid;
    }
    const run = this.runs[low - 1];
    return run && lastOf(run) > position ? run : undefined;
  }
}

/** Two complete runs that overlap or touch: one complete run over both (shared events once). */
function union(a: Run, b: Run): Run {
  const [first, second] = a.after <= b.after ? [a, b] : [b, a];
  const from = firstAfter(second.events, lastOf(first));
  const sizes = first.sizes.concat(second.sizes.slice(from));
  return { after: first.after, events: first.events.concat(second.events.slice(from)), sizes, bytes: sum(sizes) };
}

function lastOf(run: Run): bigint {
  return run.events[run.events.length - 1].position;
}

function sum(values: number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** Index of the first event past `position` (events are in position order). */
function firstAfter(events: RecordedEvent[], position: bigint): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (events[mid].position <= position) low = mid + 1;
    else high = mid;
  }
  return low;
}
