import { EventStore } from '#event-store/index.js';

/** Positions remembered per store: the head and the checkpoints of the last call (a dozen projections). */
export const LAG_MARKS_MAX = 64;
/**
 * Remembered counts are dropped after this long and the lag counted afresh. Events below the head
 * do not come and go, but if they ever did (EventStoreDB scavenging a deleted stream), a wrong
 * figure would last at most this long.
 */
export const LAG_MARKS_AGE_MS_MAX = 10 * 60_000;

/**
 * `events` is the number of events between the chain's first mark and `position` (the first mark
 * has 0, marks added below it go negative): the count between two marks is a subtraction.
 */
interface Mark {
  position: bigint;
  events: bigint;
}

interface Chain {
  marks: readonly Mark[];
  started_ms: number;
}

const chains = new WeakMap<EventStore, Chain>();

/**
 * For each position: `store.countEvents(position, head, cap)`, with the same result as long as the
 * log below the head does not change, but each stretch of the log counted once across calls.
 * On EventStoreDB counting means reading the events, and /health asks every few seconds for
 * projections that are behind by much the same stretch; this counts only what is new (the events
 * appended since the last call and the stretches the projections have moved over) instead of the
 * whole backlog again for every distinct checkpoint.
 *
 * It keeps, per store, positions whose counts are known relative to each other (the last head and
 * checkpoints), and places a new position by counting from its nearest remembered neighbour.
 * Concurrent calls each work on their own copy; the first to finish keeps its marks.
 */
export async function countEventsBehind(
  store: EventStore,
  positions: readonly bigint[],
  head: bigint,
  cap: bigint,
  nowMs: number = Date.now(),
): Promise<Map<bigint, bigint>> {
  const previous = chains.get(store);
  const reusable = previous !== undefined && nowMs - previous.started_ms <= LAG_MARKS_AGE_MS_MAX;
  let startedMs = reusable ? previous.started_ms : nowMs;
  let marks = reusable ? await withHead(store, [...previous.marks], head, cap) : null;
  if (marks === null) {
    marks = [{ position: head, events: 0n }];
    startedMs = nowMs;
  }
  const headMark = marks[marks.length - 1];
  const behind = new Map<bigint, bigint>();
  const placed = new Set<bigint>([head]);
  // Highest first: on a first call each checkpoint is placed by counting up to the one above it.
  const below = [...new Set(positions)].filter((p) => p < head).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  for (const position of below) {
    const mark = await place(store, marks, position, cap);
    if (mark === null) {
      behind.set(position, cap);
      continue;
    }
    placed.add(position);
    const events = headMark.events - mark.events;
    behind.set(position, events < cap ? events : cap);
  }
  for (const position of positions) if (position >= head) behind.set(position, 0n);

  if (chains.get(store) === previous) {
    const kept = marks.filter((m) => placed.has(m.position)).slice(-LAG_MARKS_MAX);
    chains.set(store, { marks: kept, started_ms: startedMs });
  }
  return behind;
}

/** The marks extended up to `head`, or null when they cannot be (more than `cap` new events, or the head went back). */
async function withHead(store: EventStore, marks: Mark[], head: bigint, cap: bigint): Promise<Mark[] | null> {
  const last = marks[marks.length - 1];
  if (last === undefined || last.position > head) return null;
  if (last.position === head) return marks;
  const events = await store.countEvents(last.position, head, cap);
  if (events >= cap) return null;
  marks.push({ position: head, events: last.events + events });
  return marks;
}

/**
 * The mark for `position` (below the last mark, the head), added to `marks` in order; null when
 * the count needed is capped, which means `position` is at least `cap` events behind the head.
 */
async function place(store: EventStore, marks: Mark[], position: bigint, cap: bigint): Promise<Mark | null> {
  const index = marks.findIndex((m) => m.position >= position);
  const above = marks[index];
  if (above.position === position) return above;
  const insert = (events: bigint): Mark => {
    const mark = { position, events };
    marks.splice(index, 0, mark);
    return mark;
  };
  // From below first: a projection moving along is then counted over what it moved past, not over
  // what it still has ahead of it.
  const lower = index > 0 ? marks[index - 1] : null;
  if (lower !== null) {
    const moved = await store.countEvents(lower.position, position, cap);
    if (moved < cap) return insert(lower.events + moved);
  }
  const ahead = await store.countEvents(position, above.position, cap);
  return ahead < cap ? insert(above.events - ahead) : null;
}

/** How many positions are remembered for `store` (for tests: memory stays bounded). */
export function lagMarksHeld(store: EventStore): number {
  return chains.get(store)?.marks.length ?? 0;
}
