// Over 300 lines on purpose: the matching rules run in a fixed order and each relies on the ones before it; split up, that order would be spread over files.
// Matches parsed statement lines against the ledger entries of ONE account. Pure and
// deterministic: the same lines, entries and options give the same result, whatever the order
// the entries arrive in (they are ranked by posted_at, then id) and whatever the machine's zone.
//
// Rules, applied one after the other, each to the lines still unmatched; a line or an entry is
// used at most once:
//   (a) reference    line.reference = entry.reference, same amount, currency and direction.
//                    One such entry: matched. Several: the one inside the date window, if only
//                    one is; otherwise the line is ambiguous.
//   (b) amount_date  same amount, currency and direction, |posted day - line day| <= windowDays.
//                    One candidate: matched. Several: ambiguous.
//   (c) one_to_many  2..MAX_SPLIT_PARTS unmatched entries (same currency and direction, inside
//                    the window) summing exactly to the line's amount. One such subset: matched.
//                    Several: ambiguous.
//   (d) many_to_one  2..MAX_SPLIT_PARTS unmatched lines (same currency and direction, inside the
//                    window) summing exactly to one entry's amount. One subset: matched. Several:
//                    the lines of every such subset are ambiguous.
// An ambiguous line consumes nothing: its candidate entries stay available to other lines.
// In (a) and (b) a line is only declared ambiguous once no other line can take one of its
// candidates any more (a unique match elsewhere may leave it a single candidate).
// Statement `credit` (money into the account) matches ledger `credit`, `debit` matches `debit`.
import { calendarDay, timestampMs, utcDay } from './calendar.js';
import type { InvalidLine, StatementDirection, StatementLine } from './statement-parser.js';

export interface LedgerEntry {
  id: string;
  transaction_id: string;
  /** From the ledger account's perspective; `credit` = money into a credit-normal account. */
  direction: 'debit' | 'credit';
  amount: bigint;
  currency: string;
  /** ISO 8601 timestamp with a zone (the ledger writes UTC, `…Z`); its UTC date is the posting day. */
  posted_at: string;
  reference: string | null;
}

export interface MatchOptions {
  /** How many days apart a line's date and an entry's posting day may be (inclusive), >= 0. */
  windowDays: number;
}

export type MatchStatus = 'matched' | 'unmatched' | 'ambiguous';
export type MatchRule = 'reference' | 'amount_date' | 'one_to_many' | 'many_to_one';

export interface LineMatch {
  line: number;
  external_id: string;
  status: MatchStatus;
  /**
   * matched: the entries the line was matched to (for many_to_one, the one entry it shares with
   * the other lines); ambiguous: the candidate entries (at most MAX_AMBIGUOUS_ENTRY_IDS);
   * unmatched: []. Ordered by posted_at, then id.
   */
  entry_ids: string[];
  /** The rule that matched the line or found it ambiguous; null when unmatched. */
  rule: MatchRule | null;
}

export interface MatchSummary {
  matched: number;
  unmatched: number;
  ambiguous: number;
  /** Entries no line was matched to (the length of unreconciled_entry_ids). */
  unreconciled: number;
}

export interface MatchResult {
  /** One per statement line, in line-number order. */
  lines: LineMatch[];
  /** The given entries no line was matched to, ordered by posted_at, then id. */
  unreconciled_entry_ids: string[];
  summary: MatchSummary;
}

export interface StatementSummary extends MatchSummary {
  /** Lines the parser rejected. */
  invalid: number;
}

export type StatementLineStatus = MatchStatus | 'invalid';

export interface StatementReportLine {
  line: number;
  external_id: string | null;
  status: StatementLineStatus;
  entry_ids: string[];
  rule: MatchRule | null;
  /** Why the parser rejected the line (status invalid only). */
  error?: string;
}

export interface StatementReport {
  /** Matched, unmatched, ambiguous and invalid lines together, in line-number order. */
  lines: StatementReportLine[];
  summary: StatementSummary;
}

/** Subset sizes searched by one_to_many and many_to_one. */
export const MIN_SPLIT_PARTS = 2;
export const MAX_SPLIT_PARTS = 4;
/** At most this many candidates (the nearest in date) are combined when looking for a split. */
export const MAX_SPLIT_CANDIDATES = 12;
/** At most this many entries/lines are looked at when collecting a split's candidates. */
export const MAX_SPLIT_SCAN = 1_000;
/**
 * An ambiguous line lists at most this many candidate entry ids (the first by posted_at, id): the
 * widest part of a statement's stored outcome (MAX_STATEMENT_LINES lines of this many ids).
 */
export const MAX_AMBIGUOUS_ENTRY_IDS = 20;

interface RankedEntry {
  /** Position in (posted_at, id) order. */
  rank: number;
  id: string;
  direction: StatementDirection;
  amount: bigint;
  currency: string;
  reference: string | null;
  day: number;
  consumed: boolean;
}

interface WorkLine {
  /** Position in (line, input index) order. */
  order: number;
  source: StatementLine;
  day: number;
  status: 'pending' | 'matched' | 'ambiguous';
  entries: RankedEntry[];
  rule: MatchRule | null;
}

interface Context {
  entries: RankedEntry[];
  lines: WorkLine[];
  windowDays: number;
}

export function matchStatement(lines: StatementLine[], entries: LedgerEntry[], options: MatchOptions): MatchResult {
  const { windowDays } = options;
  if (!Number.isSafeInteger(windowDays) || windowDays < 0) {
    throw new RangeError(`windowDays must be a whole number of days >= 0, got ${String(windowDays)}`);
  }
  const context: Context = { entries: rankEntries(entries), lines: orderLines(lines), windowDays };

  matchUnique(context, 'reference');
  matchUnique(context, 'amount_date');
  matchOneToMany(context);
  matchManyToOne(context);

  const result = context.lines.map(
    (work): LineMatch => ({
      line: work.source.line,
      external_id: work.source.external_id,
      status: work.status === 'pending' ? 'unmatched' : work.status,
      entry_ids: work.entries.map((entry) => entry.id),
      rule: work.rule,
    }),
  );
  const unreconciled = context.entries.filter((entry) => !entry.consumed).map((entry) => entry.id);
  const count = (status: MatchStatus) => result.filter((line) => line.status === status).length;
  return {
    lines: result,
    unreconciled_entry_ids: unreconciled,
    summary: { matched: count('matched'), unmatched: count('unmatched'), ambiguous: count('ambiguous'), unreconciled: unreconciled.length },
  };
}

/** The statement summary: the matcher's counts plus the lines the parser rejected. */
export function summarize(parsed: { invalid: InvalidLine[] }, match: MatchResult): StatementSummary {
  return { ...match.summary, invalid: parsed.invalid.length };
}

/** Every line of the statement (matched, unmatched, ambiguous, invalid) in line order, with the summary. */
export function buildStatementReport(parsed: { invalid: InvalidLine[] }, match: MatchResult): StatementReport {
  const lines: StatementReportLine[] = [
    ...match.lines.map((line): StatementReportLine => ({ ...line, entry_ids: [...line.entry_ids] })),
    ...parsed.invalid.map(
      (invalid): StatementReportLine => ({ line: invalid.line, external_id: invalid.external_id, status: 'invalid', entry_ids: [], rule: null, error: invalid.error }),
    ),
  ];
  lines.sort((a, b) => a.line - b.line); // stable: equal line numbers keep matched-before-invalid order
  return { lines, summary: summarize(parsed, match) };
}

// ---------------------------------------------------------------------------------------------
// Input

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rankEntries(entries: LedgerEntry[]): RankedEntry[] {
  const seen = new Set<string>();
  const timed = entries.map((entry) => {
    if (typeof entry.id !== 'string' || entry.id === '') throw new RangeError('every ledger entry needs an id');
    if (seen.has(entry.id)) throw new RangeError(`ledger entry ${entry.id} is given twice`);
    seen.add(entry.id);
    if (typeof entry.amount !== 'bigint' || entry.amount <= 0n) throw new RangeError(`ledger entry ${entry.id}: amount must be a positive bigint`);
    if (entry.direction !== 'credit' && entry.direction !== 'debit') throw new RangeError(`ledger entry ${entry.id}: direction must be credit or debit`);
    const ms = timestampMs(entry.posted_at);
    if (ms === null) throw new RangeError(`ledger entry ${entry.id}: posted_at ${JSON.stringify(entry.posted_at)} is not an ISO 8601 timestamp with a zone`);
    return { entry, ms };
  });
  timed.sort((a, b) => a.ms - b.ms || compareStrings(a.entry.id, b.entry.id));
  return timed.map(({ entry, ms }, rank) => ({
    rank,
    id: entry.id,
    direction: entry.direction,
    amount: entry.amount,
    currency: entry.currency,
    reference: entry.reference === '' ? null : entry.reference,
    day: utcDay(ms),
    consumed: false,
  }));
}

function orderLines(lines: StatementLine[]): WorkLine[] {
  const indexed = lines.map((source, index) => {
    const day = calendarDay(source.date);
    if (day === null) throw new RangeError(`statement line ${source.line}: date ${JSON.stringify(source.date)} is not a calendar date YYYY-MM-DD`);
    if (typeof source.amount !== 'bigint' || source.amount <= 0n) throw new RangeError(`statement line ${source.line}: amount must be a positive bigint`);
    return { source, day, index };
  });
  indexed.sort((a, b) => a.source.line - b.source.line || a.index - b.index);
  return indexed.map(({ source, day }, order) => ({ order, source, day, status: 'pending', entries: [], rule: null }));
}

function byRank(a: RankedEntry, b: RankedEntry): number {
  return a.rank - b.rank;
}

function byOrder(a: WorkLine, b: WorkLine): number {
  return a.order - b.order;
}

function lineReference(line: WorkLine): string | null {
  return line.source.reference ? line.source.reference : null;
}

function settle(line: WorkLine, status: 'matched' | 'ambiguous', entries: RankedEntry[], rule: MatchRule): void {
  line.status = status;
  const sorted = [...entries].sort(byRank);
  line.entries = status === 'ambiguous' ? sorted.slice(0, MAX_AMBIGUOUS_ENTRY_IDS) : sorted;
  line.rule = rule;
}

/** First index whose value is >= target (values non-decreasing). */
function lowerBound(values: number[], target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle] < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** First index whose value is > target (values non-decreasing). */
function upperBound(values: number[], target: number): number {
  return lowerBound(values, target + 1); // whole numbers
}

// ---------------------------------------------------------------------------------------------
// (a) reference and (b) amount_date: one candidate entry per line

interface Bucket {
  /** Unconsumed entries with the bucket's key, in rank order (so posting days non-decreasing). */
  entries: RankedEntry[];
  /** Pending lines with the bucket's key, in line order. */
  lines: WorkLine[];
}

function matchUnique(context: Context, rule: 'reference' | 'amount_date'): void {
  const byReference = rule === 'reference';
  const key = (currency: string, direction: string, amount: bigint, reference: string | null) =>
    JSON.stringify([currency, direction, amount.toString(), byReference ? reference : null]);

  const buckets = new Map<string, Bucket>();
  for (const entry of context.entries) {
    if (entry.consumed || (byReference && entry.reference === null)) continue;
    const k = key(entry.currency, entry.direction, entry.amount, entry.reference);
    let bucket = buckets.get(k);
    if (!bucket) buckets.set(k, (bucket = { entries: [], lines: [] }));
    bucket.entries.push(entry);
  }
  for (const line of context.lines) {
    const reference = lineReference(line);
    if (line.status !== 'pending' || (byReference && reference === null)) continue;
    buckets.get(key(line.source.currency, line.source.direction, line.source.amount, reference))?.lines.push(line);
  }
  for (const bucket of buckets.values()) {
    if (bucket.lines.length > 0) resolveBucket(bucket, rule, context.windowDays);
  }
}

/**
 * Gives each line of the bucket its single candidate, if it has one. Entries are positions
 * 0..n-1; a line's window is the range [low, high) of positions posted within windowDays of it.
 * `next` is a union-find "next unconsumed position" so counting a window's candidates (up to 2)
 * is near O(1). A line with several candidates waits: when one of its candidates goes to another
 * line it is looked at again. Whatever still has several candidates at the end is ambiguous.
 */
function resolveBucket(bucket: Bucket, rule: 'reference' | 'amount_date', windowDays: number): void {
  const byReference = rule === 'reference';
  const { entries, lines } = bucket;
  const days = entries.map((entry) => entry.day);
  const next = Int32Array.from({ length: entries.length + 1 }, (_, i) => i);
  const find = (position: number): number => {
    let root = position;
    while (next[root] !== root) root = next[root];
    while (next[position] !== root) {
      const after = next[position];
      next[position] = root;
      position = after;
    }
    return root;
  };
  const unconsumedIn = (low: number, high: number, limit: number): number[] => {
    const found: number[] = [];
    for (let p = find(low); p < high && found.length < limit; p = find(p + 1)) found.push(p);
    return found;
  };
  let remaining = entries.length;

  const low = lines.map((line) => lowerBound(days, line.day - windowDays));
  const high = lines.map((line) => upperBound(days, line.day + windowDays));
  // Lines by day: their windows' bounds are then non-decreasing, so the lines whose window holds
  // a given position are contiguous.
  const byDay = lines.map((_, j) => j).sort((a, b) => lines[a].day - lines[b].day || a - b);
  const highByDay = byDay.map((j) => high[j]);

  const decided = new Uint8Array(lines.length);
  const queue = lines.map((_, j) => j);
  for (let head = 0; head < queue.length; head++) {
    const j = queue[head];
    if (decided[j]) continue;
    const inWindow = unconsumedIn(low[j], high[j], 2);
    let pick = -1;
    if (byReference) {
      if (remaining === 0) decided[j] = 1; // no candidate left: the next rule may find one
      else if (remaining === 1) pick = find(0);
      else if (inWindow.length === 1) pick = inWindow[0];
    } else if (inWindow.length === 0) decided[j] = 1;
    else if (inWindow.length === 1) pick = inWindow[0];
    if (pick < 0) continue;

    decided[j] = 1;
    next[pick] = pick + 1;
    remaining--;
    entries[pick].consumed = true;
    settle(lines[j], 'matched', [entries[pick]], rule);

    // Look again at the waiting lines that just lost a candidate.
    const affected: number[] = [];
    if (byReference && remaining <= 1) {
      for (let x = 0; x < lines.length; x++) if (!decided[x]) affected.push(x);
    } else {
      for (let q = upperBound(highByDay, pick); q < byDay.length && low[byDay[q]] <= pick; q++) {
        if (!decided[byDay[q]]) affected.push(byDay[q]);
      }
      affected.sort((a, b) => a - b);
    }
    for (const x of affected) queue.push(x);
  }

  for (let j = 0; j < lines.length; j++) {
    if (decided[j]) continue;
    const inWindow = unconsumedIn(low[j], high[j], MAX_AMBIGUOUS_ENTRY_IDS);
    const candidates = inWindow.length >= 2 ? inWindow : unconsumedIn(0, entries.length, MAX_AMBIGUOUS_ENTRY_IDS);
    settle(
      lines[j],
      'ambiguous',
      candidates.map((p) => entries[p]),
      rule,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// (c) one_to_many and (d) many_to_one: exact sums of 2..MAX_SPLIT_PARTS

interface Pool<T> {
  /** Sorted by day, then the tiebreak. */
  items: T[];
  days: number[];
}

function pools<T>(items: T[], keyOf: (item: T) => string, dayOf: (item: T) => number, tiebreak: (a: T, b: T) => number): Map<string, Pool<T>> {
  const grouped = new Map<string, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const group = grouped.get(k);
    if (group) group.push(item);
    else grouped.set(k, [item]);
  }
  const result = new Map<string, Pool<T>>();
  for (const [k, group] of grouped) {
    group.sort((a, b) => dayOf(a) - dayOf(b) || tiebreak(a, b));
    result.set(k, { items: group, days: group.map(dayOf) });
  }
  return result;
}

/**
 * The usable items within windowDays of `day`, nearest first (ties by the tiebreak), at most
 * MAX_SPLIT_CANDIDATES of them, looking at no more than MAX_SPLIT_SCAN items.
 */
function nearest<T>(pool: Pool<T>, day: number, windowDays: number, usable: (item: T) => boolean, tiebreak: (a: T, b: T) => number): T[] {
  const { items, days } = pool;
  let left = lowerBound(days, day) - 1;
  let right = left + 1;
  const found: { item: T; distance: number }[] = [];
  for (let scanned = 0; scanned < MAX_SPLIT_SCAN; scanned++) {
    const leftDistance = left >= 0 ? day - days[left] : Number.POSITIVE_INFINITY;
    const rightDistance = right < items.length ? days[right] - day : Number.POSITIVE_INFINITY;
    const distance = Math.min(leftDistance, rightDistance);
    if (distance > windowDays) break;
    // Enough found: keep going only for items as near as the farthest one kept (ties).
    if (found.length >= MAX_SPLIT_CANDIDATES && distance > found[found.length - 1].distance) break;
    const item = leftDistance <= rightDistance ? items[left--] : items[right++];
    if (usable(item)) found.push({ item, distance });
  }
  found.sort((a, b) => a.distance - b.distance || tiebreak(a.item, b.item));
  return found.slice(0, MAX_SPLIT_CANDIDATES).map(({ item }) => item);
}

/** Every subset of MIN_SPLIT_PARTS..MAX_SPLIT_PARTS candidates whose amounts add up to target exactly. */
function exactSplits<T extends { amount: bigint }>(candidates: T[], target: bigint, tiebreak: (a: T, b: T) => number): T[][] {
  const sorted = [...candidates].sort((a, b) => (a.amount < b.amount ? -1 : a.amount > b.amount ? 1 : tiebreak(a, b)));
  const solutions: T[][] = [];
  const picked: T[] = [];
  const search = (start: number, sum: bigint): void => {
    for (let k = start; k < sorted.length; k++) {
      const total = sum + sorted[k].amount;
      if (total > target) break; // ascending amounts: every later one overshoots too
      picked.push(sorted[k]);
      if (total === target) {
        if (picked.length >= MIN_SPLIT_PARTS) solutions.push([...picked].sort(tiebreak));
      } else if (picked.length < MAX_SPLIT_PARTS) {
        search(k + 1, total);
      }
      picked.pop();
    }
  };
  search(0, 0n);
  return solutions;
}

function union<T>(solutions: T[][], tiebreak: (a: T, b: T) => number): T[] {
  return [...new Set(solutions.flat())].sort(tiebreak);
}

function groupKey(currency: string, direction: string): string {
  return JSON.stringify([currency, direction]);
}

function matchOneToMany(context: Context): void {
  const entryPools = pools(
    context.entries.filter((entry) => !entry.consumed),
    (entry) => groupKey(entry.currency, entry.direction),
    (entry) => entry.day,
    byRank,
  );
  for (const line of context.lines) {
    if (line.status !== 'pending') continue;
    const pool = entryPools.get(groupKey(line.source.currency, line.source.direction));
    if (!pool) continue;
    const target = line.source.amount;
    const candidates = nearest(pool, line.day, context.windowDays, (entry) => !entry.consumed && entry.amount < target, byRank);
    if (candidates.length < MIN_SPLIT_PARTS) continue;
    const solutions = exactSplits(candidates, target, byRank);
    if (solutions.length === 1) {
      for (const entry of solutions[0]) entry.consumed = true;
      settle(line, 'matched', solutions[0], 'one_to_many');
    } else if (solutions.length > 1) {
      settle(line, 'ambiguous', union(solutions, byRank), 'one_to_many');
    }
  }
}

function matchManyToOne(context: Context): void {
  const linePools = pools(
    context.lines.filter((line) => line.status === 'pending'),
    (line) => groupKey(line.source.currency, line.source.direction),
    (line) => line.day,
    byOrder,
  );
  if (linePools.size === 0) return;
  for (const entry of context.entries) {
    if (entry.consumed) continue;
    const pool = linePools.get(groupKey(entry.currency, entry.direction));
    if (!pool) continue;
    const target = entry.amount;
    const candidates = nearest(pool, entry.day, context.windowDays, (line) => line.status === 'pending' && line.source.amount < target, byOrder);
    if (candidates.length < MIN_SPLIT_PARTS) continue;
    const solutions = exactSplits(
      candidates.map((line) => ({ line, amount: line.source.amount })),
      target,
      (a, b) => byOrder(a.line, b.line),
    );
    if (solutions.length === 1) {
      entry.consumed = true;
      for (const { line } of solutions[0]) settle(line, 'matched', [entry], 'many_to_one');
    } else if (solutions.length > 1) {
      for (const { line } of union(solutions, (a, b) => byOrder(a.line, b.line))) settle(line, 'ambiguous', [entry], 'many_to_one');
    }
  }
}
