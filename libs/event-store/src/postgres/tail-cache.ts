import { RecordedEvent } from '../event-store.port.js';

interface Segment {
  /** The page was read after this position... */
  after: bigint;
  /** ...and holds every event up to and including its last one. */
  events: RecordedEvent[];
}

/**
 * Pages of the log that readers have fetched, kept so that readers following the log a little
 * behind one another (the projections of a process) read and parse each event once instead of
 * once per reader. A page is complete from the position it was read after up to its last event
 * (committed events never change and the reader's gap rule admitted nothing later below it), so
 * any slice of it, and a chain of pages that cover one another's ends, is a complete answer too.
 * Bounded by the number of events kept; the oldest pages go first.
 */
export class TailCache {
  private segments: Segment[] = [];
  private size = 0;

  constructor(private readonly maxEvents: number) {}

  /** Up to `maxCount` events after `after`, or null when no kept page covers the event after it. */
  take(after: bigint, maxCount: number): RecordedEvent[] | null {
    const taken: RecordedEvent[] = [];
    let cursor = after;
    while (taken.length < maxCount) {
      const segment = this.covering(cursor);
      if (!segment) break;
      const from = firstAfter(segment.events, cursor);
      const slice = segment.events.slice(from, from + (maxCount - taken.length));
      for (const event of slice) taken.push(event);
      cursor = slice[slice.length - 1].position;
    }
    return taken.length ? taken : null;
  }

  add(after: bigint, events: RecordedEvent[]): void {
    if (events.length === 0 || events.length > this.maxEvents) return;
    this.segments.push({ after, events });
    this.size += events.length;
    while (this.size > this.maxEvents) {
      let oldest = 0;
      for (let i = 1; i < this.segments.length; i++) if (lastOf(this.segments[i]) < lastOf(this.segments[oldest])) oldest = i;
      this.size -= this.segments[oldest].events.length;
      this.segments.splice(oldest, 1);
    }
  }

  /** A page that holds the event right after `position`, i.e. read after it or before, and reaching past it. */
  private covering(position: bigint): Segment | undefined {
    let best: Segment | undefined;
    for (const segment of this.segments) {
      if (segment.after <= position && lastOf(segment) > position && (!best || lastOf(segment) > lastOf(best))) best = segment;
    }
    return best;
  }
}

function lastOf(segment: Segment): bigint {
  return segment.events[segment.events.length - 1].position;
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
