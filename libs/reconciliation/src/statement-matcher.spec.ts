// Over 300 lines on purpose: one given/when/then case per rule and per edge of it, in the order the rules are read.
// Specs for matchStatement: statement lines against one account's ledger entries, rule by rule
// (reference, amount_date, one_to_many, many_to_one), then what is left over.
import {
  LedgerEntry,
  LineMatch,
  MAX_AMBIGUOUS_ENTRY_IDS,
  MAX_SPLIT_CANDIDATES,
  MAX_SPLIT_PARTS,
  MatchResult,
  buildStatementReport,
  matchStatement,
  summarize,
} from './statement-matcher.js';
import { StatementLine, parseStatement } from './statement-parser.js';

/** A USD credit posted at noon UTC on `date` unless told otherwise. */
function entry(id: string, amount: bigint, date: string, extra: Partial<LedgerEntry> = {}): LedgerEntry {
  return { id, transaction_id: `tx-${id}`, direction: 'credit', amount, currency: 'USD', posted_at: `${date}T12:00:00.000Z`, reference: null, ...extra };
}

/** A USD credit statement line (money into the account) with no reference unless told otherwise. */
function line(n: number, amount: bigint, date: string, extra: Partial<StatementLine> = {}): StatementLine {
  return { line: n, external_id: `ext-${n}`, amount, currency: 'USD', direction: 'credit', date, reference: null, ...extra };
}

function outcomeOf(result: MatchResult, n: number): Omit<LineMatch, 'line' | 'external_id'> {
  const found = result.lines.find((l) => l.line === n);
  if (!found) throw new Error(`no result for line ${n}`);
  const { line: _line, external_id: _externalId, ...rest } = found;
  return rest;
}

const matched = (rule: LineMatch['rule'], ...entry_ids: string[]) => ({ status: 'matched', rule, entry_ids });
const ambiguous = (rule: LineMatch['rule'], ...entry_ids: string[]) => ({ status: 'ambiguous', rule, entry_ids });
const unmatched = { status: 'unmatched', rule: null, entry_ids: [] };

/** Adds `days` to a YYYY-MM-DD date. */
function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const D = '2026-03-10';

describe('matchStatement', () => {
  describe('rule (a): exact reference', () => {
    it('matches a line to the entry with its reference, amount, currency and direction, however far apart the dates', () => {
      // given
      const lines = [line(2, 500n, D, { reference: 'inv-7' })];
      const entries = [entry('e1', 500n, plusDays(D, 40), { reference: 'inv-7' })];
      // when
      const result = matchStatement(lines, entries, { windowDays: 2 });
      // then
      expect(outcomeOf(result, 2)).toEqual(matched('reference', 'e1'));
      expect(result.unreconciled_entry_ids).toEqual([]);
    });

    it('wins over a same-amount entry on the same day', () => {
      // given: e1 has the amount and the date, e2 the reference (three days later)
      const lines = [line(2, 500n, D, { reference: 'inv-7' })];
      const entries = [entry('e1', 500n, D), entry('e2', 500n, plusDays(D, 3), { reference: 'inv-7' })];
      // when
      const result = matchStatement(lines, entries, { windowDays: 5 });
      // then
      expect(outcomeOf(result, 2)).toEqual(matched('reference', 'e2'));
      expect(result.unreconciled_entry_ids).toEqual(['e1']);
    });

    it('is applied to every line before amount_date is tried on any', () => {
      // given: line 2 (no reference) could take e1 or e2 by amount and date; line 3 owns e1 by reference
      const lines = [line(2, 500n, D), line(3, 500n, D, { reference: 'inv-7' })];
      const entries = [entry('e1', 500n, D, { reference: 'inv-7' }), entry('e2', 500n, D)];
      // when
      const result = matchStatement(lines, entries, { windowDays: 1 });
      // then: with e1 taken by reference, e2 is line 2's only candidate
      expect(outcomeOf(result, 3)).toEqual(matched('reference', 'e1'));
      expect(outcomeOf(result, 2)).toEqual(matched('amount_date', 'e2'));
    });

    it('needs the amount, the currency and the direction to agree too', () => {
      // given
      const lines = [line(2, 500n, D, { reference: 'r-1' }), line(3, 500n, D, { reference: 'r-2' }), line(4, 500n, D, { reference: 'r-3' })];
      const entries = [
        entry('e1', 499n, D, { reference: 'r-1' }),
        entry('e2', 500n, D, { reference: 'r-2', currency: 'EUR' }),
        entry('e3', 500n, D, { reference: 'r-3', direction: 'debit' }),
      ];
      // when
      const result = matchStatement(lines, entries, { windowDays: 0 });
      // then
      expect(result.lines.map((l) => l.status)).toEqual(['unmatched', 'unmatched', 'unmatched']);
      expect(result.unreconciled_entry_ids).toEqual(['e1', 'e2', 'e3']);
    });

    it('compares references exactly', () => {
      const result = matchStatement([line(2, 500n, D, { reference: 'INV-7' })], [entry('e1', 500n, plusDays(D, 9), { reference: 'inv-7' })], { windowDays: 1 });
      expect(outcomeOf(result, 2)).toEqual(unmatched);
    });

    it('does not treat an empty reference as a reference', () => {
      const result = matchStatement([line(2, 500n, D, { reference: '' })], [entry('e1', 500n, plusDays(D, 9), { reference: '' })], { windowDays: 1 });
      expect(outcomeOf(result, 2)).toEqual(unmatched);
    });

    it('tells recurring references apart by the date window (monthly rent)', () => {
      // given: the same reference and amount every month, in both the statement and the ledger
      const months = ['2026-01-01', '2026-02-01', '2026-03-01'];
      const lines = months.map((date, i) => line(i + 2, 120_000n, date, { reference: 'RENT' }));
      const entries = months.map((date, i) => entry(`rent-${i + 1}`, 120_000n, plusDays(date, 1), { reference: 'RENT' })).reverse();
      // when
      const result = matchStatement(lines, entries, { windowDays: 3 });
      // then
      expect(result.lines.map((l) => [l.line, l.status, l.rule, l.entry_ids])).toEqual([
        [2, 'matched', 'reference', ['rent-1']],
        [3, 'matched', 'reference', ['rent-2']],
        [4, 'matched', 'reference', ['rent-3']],
      ]);
    });

    it('reports a line as ambiguous when several entries carry its reference inside the window, and consumes none of them', () => {
      // given
      const lines = [line(2, 500n, D, { reference: 'inv-7' })];
      const entries = [entry('e2', 500n, D, { reference: 'inv-7' }), entry('e1', 500n, plusDays(D, -1), { reference: 'inv-7' })];
      // when
      const result = matchStatement(lines, entries, { windowDays: 1 });
      // then: candidates in posted order
      expect(outcomeOf(result, 2)).toEqual(ambiguous('reference', 'e1', 'e2'));
      expect(result.unreconciled_entry_ids).toEqual(['e1', 'e2']);
    });

    it('lists every entry with the reference when several carry it and none is inside the window', () => {
      const entries = [entry('e1', 500n, plusDays(D, 20), { reference: 'inv-7' }), entry('e2', 500n, plusDays(D, 30), { reference: 'inv-7' })];
      const result = matchStatement([line(2, 500n, D, { reference: 'inv-7' })], entries, { windowDays: 1 });
      expect(outcomeOf(result, 2)).toEqual(ambiguous('reference', 'e1', 'e2'));
    });

    it('gives a line the last entry left with its reference once the others are taken, even outside the window', () => {
      // given: line 2 is far from both entries (two candidates, none in its window); line 3 is next to e1
      const lines = [line(2, 500n, plusDays(D, 30), { reference: 'inv-7' }), line(3, 500n, D, { reference: 'inv-7' })];
      const entries = [entry('e1', 500n, D, { reference: 'inv-7' }), entry('e2', 500n, plusDays(D, 10), { reference: 'inv-7' })];
      // when
      const result = matchStatement(lines, entries, { windowDays: 1 });
      // then
      expect(outcomeOf(result, 3)).toEqual(matched('reference', 'e1'));
      expect(outcomeOf(result, 2)).toEqual(matched('reference', 'e2'));
    });

    it('gives one entry to one line: the first line takes it, the second tries the other rules', () => {
      // given: two lines with the same reference; one entry has it, another only the amount
      const lines = [line(2, 500n, D, { reference: 'inv-7' }), line(3, 500n, D, { reference: 'inv-7' })];
      const entries = [entry('e1', 500n, D, { reference: 'inv-7' }), entry('e2', 500n, D)];
      // when
      const result = matchStatement(lines, entries, { windowDays: 0 });
      // then
      expect(outcomeOf(result, 2)).toEqual(matched('reference', 'e1'));
      expect(outcomeOf(result, 3)).toEqual(matched('amount_date', 'e2'));
    });
  });

  describe('rule (b): amount, currency, direction and date window', () => {
    it('matches a line to its only candidate', () => {
      const result = matchStatement([line(2, 500n, D)], [entry('e1', 500n, plusDays(D, 1)), entry('e2', 501n, D)], { windowDays: 2 });
      expect(outcomeOf(result, 2)).toEqual(matched('amount_date', 'e1'));
      expect(result.unreconciled_entry_ids).toEqual(['e2']);
    });

    it('matches statement credit to ledger credit and statement debit to ledger debit, never across', () => {
      // given
      const lines = [line(2, 500n, D, { direction: 'credit' }), line(3, 700n, D, { direction: 'debit' })];
      const entries = [entry('out', 500n, D, { direction: 'debit' }), entry('in', 700n, D, { direction: 'credit' })];
      // when
      const result = matchStatement(lines, entries, { windowDays: 3 });
      // then
      expect(result.summary).toMatchObject({ matched: 0, unmatched: 2, unreconciled: 2 });

      const fixed = matchStatement(lines, [entry('in', 500n, D, { direction: 'credit' }), entry('out', 700n, D, { direction: 'debit' })], { windowDays: 3 });
      expect(outcomeOf(fixed, 2)).toEqual(matched('amount_date', 'in'));
      expect(outcomeOf(fixed, 3)).toEqual(matched('amount_date', 'out'));
    });

    it('does not match across currencies', () => {
      const result = matchStatement([line(2, 500n, D)], [entry('e1', 500n, D, { currency: 'EUR' })], { windowDays: 3 });
      expect(outcomeOf(result, 2)).toEqual(unmatched);
    });

    describe('window edges (windowDays = 3, inclusive)', () => {
      it.each([
        [-3, 'matched'],
        [3, 'matched'],
        [0, 'matched'],
        [-4, 'unmatched'],
        [4, 'unmatched'],
      ])('an entry posted %i days from the line date is %s', (offset, status) => {
        // given
        const entries = [entry('e1', 500n, plusDays(D, offset))];
        // when
        const result = matchStatement([line(2, 500n, D)], entries, { windowDays: 3 });
        // then
        expect(outcomeOf(result, 2).status).toBe(status);
        expect(result.unreconciled_entry_ids).toEqual(status === 'matched' ? [] : ['e1']);
      });
    });

    it('with windowDays = 0 takes any time on the same UTC day, and nothing on the next', () => {
      // given
      const lines = [line(2, 500n, D), line(3, 700n, D), line(4, 900n, D)];
      const entries = [
        entry('first-ms', 500n, D, { posted_at: `${D}T00:00:00.000Z` }),
        entry('last-ms', 700n, D, { posted_at: `${D}T23:59:59.999Z` }),
        entry('next-day', 900n, D, { posted_at: `${plusDays(D, 1)}T00:00:00.000Z` }),
      ];
      // when
      const result = matchStatement(lines, entries, { windowDays: 0 });
      // then
      expect(result.lines.map((l) => l.status)).toEqual(['matched', 'matched', 'unmatched']);
    });

    it("takes the entry's posting day in UTC, whatever offset its timestamp is written with", () => {
      // given: 01:00 on the 11th at +02:00 is 23:00 UTC on the 10th
      const entries = [entry('e1', 500n, D, { posted_at: `${plusDays(D, 1)}T01:00:00+02:00` })];
      // when / then
      expect(matchStatement([line(2, 500n, D)], entries, { windowDays: 0 }).lines[0].status).toBe('matched');
      expect(matchStatement([line(2, 500n, plusDays(D, 1))], entries, { windowDays: 0 }).lines[0].status).toBe('unmatched');
    });

    it('reports a line with several candidates as ambiguous, listing them, and consumes none', () => {
      // given
      const entries = [entry('e-b', 500n, D), entry('e-a', 500n, D), entry('e-early', 500n, plusDays(D, -1))];
      // when
      const result = matchStatement([line(2, 500n, D)], entries, { windowDays: 1 });
      // then: by posted_at, then id
      expect(outcomeOf(result, 2)).toEqual(ambiguous('amount_date', 'e-early', 'e-a', 'e-b'));
      expect(result.unreconciled_entry_ids).toEqual(['e-early', 'e-a', 'e-b']);
      expect(result.summary).toEqual({ matched: 0, unmatched: 0, ambiguous: 1, unreconciled: 3 });
    });

    it.each([
      ['the single-candidate line comes first', [2, 3]],
      ['the single-candidate line comes last', [3, 2]],
    ])('resolves a line whose other candidate is taken by a sure match (%s)', (_name, [near, far]) => {
      // given: line `near` only reaches e1; line `far` reaches e1 and e2
      const lines = [line(near, 500n, plusDays(D, -2)), line(far, 500n, D)];
      const entries = [entry('e1', 500n, plusDays(D, -1)), entry('e2', 500n, plusDays(D, 1))];
      // when
      const result = matchStatement(lines, entries, { windowDays: 1 });
      // then
      expect(outcomeOf(result, near)).toEqual(matched('amount_date', 'e1'));
      expect(outcomeOf(result, far)).toEqual(matched('amount_date', 'e2'));
      expect(result.unreconciled_entry_ids).toEqual([]);
    });

    it('resolves a chain of overlapping windows from its sure end', () => {
      // given: line 2 reaches e1, e2; line 3 reaches e2, e3; line 4 reaches only e3
      const lines = [line(2, 500n, plusDays(D, 0)), line(3, 500n, plusDays(D, 2)), line(4, 500n, plusDays(D, 4))];
      const entries = [entry('e1', 500n, plusDays(D, 0)), entry('e2', 500n, plusDays(D, 1)), entry('e3', 500n, plusDays(D, 3))];
      // when
      const result = matchStatement(lines, entries, { windowDays: 1 });
      // then
      expect(result.lines.map((l) => l.entry_ids)).toEqual([['e1'], ['e2'], ['e3']]);
    });

    it('gives an entry wanted by two lines to the line that comes first; the other stays unmatched', () => {
      const result = matchStatement([line(3, 500n, D), line(2, 500n, D)], [entry('e1', 500n, D)], { windowDays: 0 });
      expect(outcomeOf(result, 2)).toEqual(matched('amount_date', 'e1'));
      expect(outcomeOf(result, 3)).toEqual(unmatched);
    });

    it('pairs two identical lines with two identical entries only as ambiguous (no arbitrary pairing)', () => {
      const result = matchStatement([line(2, 500n, D), line(3, 500n, D)], [entry('e1', 500n, D), entry('e2', 500n, D)], { windowDays: 0 });
      expect(result.lines.map((l) => [l.status, l.entry_ids])).toEqual([
        ['ambiguous', ['e1', 'e2']],
        ['ambiguous', ['e1', 'e2']],
      ]);
    });
  });

  describe('rule (c): one line, several entries', () => {
    it('matches a line to two entries that add up to its amount', () => {
      // given
      const entries = [entry('e2', 200n, plusDays(D, 1)), entry('e1', 100n, D), entry('other', 999n, D)];
      // when
      const result = matchStatement([line(2, 300n, D)], entries, { windowDays: 1 });
      // then: entry ids in posted order
      expect(outcomeOf(result, 2)).toEqual(matched('one_to_many', 'e1', 'e2'));
      expect(result.unreconciled_entry_ids).toEqual(['other']);
    });

    it(`finds splits of up to MAX_SPLIT_PARTS (${MAX_SPLIT_PARTS}) entries`, () => {
      // given
      const three = [entry('a1', 1n, D), entry('a2', 2n, D), entry('a3', 4n, D)];
      const four = [entry('b1', 10n, D), entry('b2', 20n, D), entry('b3', 40n, D), entry('b4', 80n, D)];
      // when
      const result = matchStatement([line(2, 7n, D), line(3, 150n, D)], [...three, ...four], { windowDays: 0 });
      // then
      expect(outcomeOf(result, 2)).toEqual(matched('one_to_many', 'a1', 'a2', 'a3'));
      expect(outcomeOf(result, 3)).toEqual(matched('one_to_many', 'b1', 'b2', 'b3', 'b4'));
    });

    it('does not look for splits of more parts', () => {
      const five = [1n, 2n, 4n, 8n, 16n].map((amount, i) => entry(`e${i}`, amount, D));
      const result = matchStatement([line(2, 31n, D)], five, { windowDays: 0 });
      expect(outcomeOf(result, 2)).toEqual(unmatched);
      expect(result.unreconciled_entry_ids).toHaveLength(5);
    });

    it('needs the exact sum', () => {
      const result = matchStatement([line(2, 300n, D)], [entry('e1', 100n, D), entry('e2', 199n, D)], { windowDays: 0 });
      expect(outcomeOf(result, 2)).toEqual(unmatched);
    });

    it('reports the line as ambiguous when two different splits work, and consumes no entry', () => {
      // given: 100 + 200 and 150 + 150
      const entries = [entry('e1', 100n, D), entry('e2', 200n, D), entry('e3', 150n, D), entry('e4', 150n, D)];
      // when
      const result = matchStatement([line(2, 300n, D)], entries, { windowDays: 0 });
      // then
      expect(outcomeOf(result, 2)).toEqual(ambiguous('one_to_many', 'e1', 'e2', 'e3', 'e4'));
      expect(result.unreconciled_entry_ids).toEqual(['e1', 'e2', 'e3', 'e4']);
    });

    it('counts equal amounts in different entries as different splits', () => {
      const entries = [entry('e1', 50n, D), entry('e2', 50n, D), entry('e3', 50n, D)];
      expect(outcomeOf(matchStatement([line(2, 100n, D)], entries, { windowDays: 0 }), 2)).toEqual(ambiguous('one_to_many', 'e1', 'e2', 'e3'));
    });

    it('uses only entries inside the window, in the same currency and direction', () => {
      // given: the only 100 + 200 pairs need an entry outside the window, in EUR or a debit
      const entries = [
        entry('in-window', 100n, D),
        entry('too-late', 200n, plusDays(D, 2)),
        entry('euro', 200n, D, { currency: 'EUR' }),
        entry('debit', 200n, D, { direction: 'debit' }),
      ];
      // when
      const result = matchStatement([line(2, 300n, D)], entries, { windowDays: 1 });
      // then
      expect(outcomeOf(result, 2)).toEqual(unmatched);

      const widened = matchStatement([line(2, 300n, D)], entries, { windowDays: 2 });
      expect(outcomeOf(widened, 2)).toEqual(matched('one_to_many', 'in-window', 'too-late'));
    });

    it('comes after the single-entry rules: an entry of the full amount wins', () => {
      const entries = [entry('e100', 100n, D), entry('e200', 200n, D), entry('e300', 300n, plusDays(D, 1))];
      const result = matchStatement([line(2, 300n, D)], entries, { windowDays: 1 });
      expect(outcomeOf(result, 2)).toEqual(matched('amount_date', 'e300'));
      expect(result.unreconciled_entry_ids).toEqual(['e100', 'e200']);
    });

    it(`considers only the MAX_SPLIT_CANDIDATES (${MAX_SPLIT_CANDIDATES}) nearest entries`, () => {
      // given: small entries on the line's day that never add up to 300 (multiples of 7 up to 28),
      // and the 100 + 200 pair one day later
      const pair = [entry('p100', 100n, plusDays(D, 1)), entry('p200', 200n, plusDays(D, 1))];
      const crowd = (count: number) => Array.from({ length: count }, (_, i) => entry(`s${String(i).padStart(2, '0')}`, 7n, D));
      // when: MAX - 1 nearer entries leave room for one of the pair only, MAX - 2 for both
      const crowded = matchStatement([line(2, 300n, D)], [...crowd(MAX_SPLIT_CANDIDATES - 1), ...pair], { windowDays: 1 });
      const roomy = matchStatement([line(2, 300n, D)], [...crowd(MAX_SPLIT_CANDIDATES - 2), ...pair], { windowDays: 1 });
      // then
      expect(outcomeOf(crowded, 2)).toEqual(unmatched);
      expect(outcomeOf(roomy, 2)).toEqual(matched('one_to_many', 'p100', 'p200'));
    });

    it('does not reuse an entry taken by an earlier line', () => {
      // given: both lines could be 100 + 200; there is one of each
      const result = matchStatement([line(2, 300n, D), line(3, 300n, D)], [entry('e1', 100n, D), entry('e2', 200n, D)], { windowDays: 0 });
      expect(outcomeOf(result, 2)).toEqual(matched('one_to_many', 'e1', 'e2'));
      expect(outcomeOf(result, 3)).toEqual(unmatched);
    });
  });

  describe('rule (d): several lines, one entry', () => {
    it('matches the lines that add up to an entry, each to that entry', () => {
      // given
      const lines = [line(2, 100n, D), line(3, 250n, plusDays(D, 1)), line(4, 999n, D)];
      // when
      const result = matchStatement(lines, [entry('e1', 350n, D)], { windowDays: 1 });
      // then
      expect(outcomeOf(result, 2)).toEqual(matched('many_to_one', 'e1'));
      expect(outcomeOf(result, 3)).toEqual(matched('many_to_one', 'e1'));
      expect(outcomeOf(result, 4)).toEqual(unmatched);
      expect(result.unreconciled_entry_ids).toEqual([]);
      expect(result.summary).toEqual({ matched: 2, unmatched: 1, ambiguous: 0, unreconciled: 0 });
    });

    it('matches up to MAX_SPLIT_PARTS lines to one entry', () => {
      const lines = [line(2, 1n, D), line(3, 2n, D), line(4, 4n, D), line(5, 8n, D)];
      const result = matchStatement(lines, [entry('e1', 15n, D)], { windowDays: 0 });
      expect(result.lines.map((l) => [l.status, l.rule, l.entry_ids])).toEqual(lines.map(() => ['matched', 'many_to_one', ['e1']]));
    });

    it('reports the lines of every working split as ambiguous and leaves the entry unreconciled', () => {
      // given: 100 (line 2) + 200 or 100 (line 3) + 200
      const lines = [line(2, 100n, D), line(3, 100n, D), line(4, 200n, D), line(5, 50n, D)];
      // when
      const result = matchStatement(lines, [entry('e1', 300n, D)], { windowDays: 0 });
      // then
      expect(outcomeOf(result, 2)).toEqual(ambiguous('many_to_one', 'e1'));
      expect(outcomeOf(result, 3)).toEqual(ambiguous('many_to_one', 'e1'));
      expect(outcomeOf(result, 4)).toEqual(ambiguous('many_to_one', 'e1'));
      expect(outcomeOf(result, 5)).toEqual(unmatched);
      expect(result.unreconciled_entry_ids).toEqual(['e1']);
    });

    it('uses only lines inside the window, in the same currency and direction', () => {
      const lines = [line(2, 100n, D), line(3, 200n, plusDays(D, -2)), line(4, 200n, D, { currency: 'EUR' }), line(5, 200n, D, { direction: 'debit' })];
      const result = matchStatement(lines, [entry('e1', 300n, D)], { windowDays: 1 });
      expect(result.summary.matched).toBe(0);
      expect(matchStatement(lines, [entry('e1', 300n, D)], { windowDays: 2 }).lines.map((l) => l.status)).toEqual(['matched', 'matched', 'unmatched', 'unmatched']);
    });
  });

  describe('what is left over', () => {
    it('reports lines without a match as unmatched and entries without a line as unreconciled, by posted_at then id', () => {
      // given
      const lines = [line(2, 1n, D), line(3, 2n, D)];
      const entries = [entry('z', 5n, D), entry('b', 6n, plusDays(D, 1)), entry('a', 7n, D), entry('m', 8n, plusDays(D, -30))];
      // when
      const result = matchStatement(lines, entries, { windowDays: 3 });
      // then
      expect(result.lines).toEqual([
        { line: 2, external_id: 'ext-2', ...unmatched },
        { line: 3, external_id: 'ext-3', ...unmatched },
      ]);
      expect(result.unreconciled_entry_ids).toEqual(['m', 'a', 'z', 'b']);
      expect(result.summary).toEqual({ matched: 0, unmatched: 2, ambiguous: 0, unreconciled: 4 });
    });

    it('handles an empty statement and an empty ledger', () => {
      expect(matchStatement([], [], { windowDays: 1 })).toEqual({
        lines: [],
        unreconciled_entry_ids: [],
        summary: { matched: 0, unmatched: 0, ambiguous: 0, unreconciled: 0 },
      });
      expect(matchStatement([], [entry('e1', 1n, D)], { windowDays: 1 }).unreconciled_entry_ids).toEqual(['e1']);
    });

    it('returns the lines in line-number order, whatever order they are given in', () => {
      const result = matchStatement([line(9, 1n, D), line(2, 2n, D), line(5, 3n, D)], [], { windowDays: 0 });
      expect(result.lines.map((l) => l.line)).toEqual([2, 5, 9]);
    });
  });

  describe('a statement using every rule', () => {
    // given
    const lines = [
      line(2, 1_000n, D, { reference: 'inv-1' }), // (a) reference, 20 days off
      line(3, 2_500n, D), // (b) amount_date
      line(4, 3_000n, D), // (c) 1_000 + 2_000
      line(5, 400n, D), // (d) with line 6 -> 1_050
      line(6, 650n, D),
      line(7, 7_700n, D), // (b) ambiguous
      line(8, 123n, D), // unmatched
    ];
    const entries = [
      entry('ref', 1_000n, plusDays(D, 20), { reference: 'inv-1' }),
      entry('single', 2_500n, plusDays(D, 1)),
      entry('part-1', 1_000n, D),
      entry('part-2', 2_000n, plusDays(D, -1)),
      entry('sum', 1_050n, plusDays(D, 2)),
      entry('amb-1', 7_700n, D),
      entry('amb-2', 7_700n, D),
      entry('lonely', 55n, D),
    ];

    it('matches each line by the first rule that applies', () => {
      // when
      const result = matchStatement(lines, entries, { windowDays: 2 });
      // then
      expect(result.lines.map((l) => [l.line, l.status, l.rule, l.entry_ids])).toEqual([
        [2, 'matched', 'reference', ['ref']],
        [3, 'matched', 'amount_date', ['single']],
        [4, 'matched', 'one_to_many', ['part-2', 'part-1']],
        [5, 'matched', 'many_to_one', ['sum']],
        [6, 'matched', 'many_to_one', ['sum']],
        [7, 'ambiguous', 'amount_date', ['amb-1', 'amb-2']],
        [8, 'unmatched', null, []],
      ]);
      expect(result.unreconciled_entry_ids).toEqual(['amb-1', 'amb-2', 'lonely']);
      expect(result.summary).toEqual({ matched: 5, unmatched: 1, ambiguous: 1, unreconciled: 3 });
    });

    it('is deterministic: the same result for any order of entries, run after run', () => {
      // given
      const expected = matchStatement(lines, entries, { windowDays: 2 });
      const orders = [[...entries].reverse(), [...entries.slice(3), ...entries.slice(0, 3)], [entries[5], entries[0], entries[7], entries[2], entries[6], entries[1], entries[4], entries[3]]];
      // when / then
      for (const order of orders) expect(matchStatement(lines, order, { windowDays: 2 })).toEqual(expected);
      expect(matchStatement(lines, entries, { windowDays: 2 })).toEqual(expected);
      expect(matchStatement([...lines].reverse(), entries, { windowDays: 2 })).toEqual(expected);
    });

    it('does not change its inputs', () => {
      const before = JSON.stringify([lines, entries], (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
      matchStatement(lines, entries, { windowDays: 2 });
      expect(JSON.stringify([lines, entries], (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).toBe(before);
    });
  });

  describe('input checks', () => {
    it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses windowDays = %p', (windowDays) => {
      expect(() => matchStatement([], [], { windowDays })).toThrow(RangeError);
    });

    it.each([
      ['a zone-less timestamp (local time would depend on the machine)', '2026-03-10T12:00:00'],
      ['not a timestamp', 'yesterday'],
      ['an impossible date', '2026-02-30T00:00:00Z'],
    ])('refuses an entry whose posted_at is %s', (_name, posted_at) => {
      expect(() => matchStatement([], [entry('e1', 1n, D, { posted_at })], { windowDays: 0 })).toThrow(/posted_at/);
    });

    it('refuses the same entry id twice', () => {
      expect(() => matchStatement([], [entry('e1', 1n, D), entry('e1', 2n, D)], { windowDays: 0 })).toThrow('ledger entry e1 is given twice');
    });

    it('refuses a line whose date is not a calendar date', () => {
      expect(() => matchStatement([line(2, 1n, '2026-02-30')], [], { windowDays: 0 })).toThrow(RangeError);
    });
  });

  describe('scale', () => {
    it(`lists at most MAX_AMBIGUOUS_ENTRY_IDS (${MAX_AMBIGUOUS_ENTRY_IDS}) candidates when thousands of identical lines meet thousands of identical entries`, () => {
      // given
      const count = 3_000;
      const lines = Array.from({ length: count }, (_, i) => line(i + 2, 999n, D));
      const entries = Array.from({ length: count }, (_, i) => entry(`e${String(i).padStart(5, '0')}`, 999n, D));
      // when
      const result = matchStatement(lines, entries, { windowDays: 0 });
      // then
      expect(result.summary).toEqual({ matched: 0, unmatched: 0, ambiguous: count, unreconciled: count });
      expect(result.lines[0].entry_ids).toHaveLength(MAX_AMBIGUOUS_ENTRY_IDS);
      expect(result.lines[0].entry_ids[0]).toBe('e00000');
    });

    it('matches a large statement line for line', () => {
      // given: 20,000 lines over 200 days, each with its own entry, in shuffled order
      const count = 20_000;
      const lines = Array.from({ length: count }, (_, i) => line(i + 2, BigInt(1_000 + i), plusDays(D, i % 200)));
      const entries = Array.from({ length: count }, (_, i) => entry(`e${(i * 7919) % count}`, BigInt(1_000 + ((i * 7919) % count)), plusDays(D, ((i * 7919) % count) % 200)));
      // when
      const result = matchStatement(lines, entries, { windowDays: 2 });
      // then
      expect(result.summary).toEqual({ matched: count, unmatched: 0, ambiguous: 0, unreconciled: 0 });
      expect(result.lines[123].entry_ids).toEqual(['e123']);
    });
  });
});

describe('summarize and buildStatementReport', () => {
  it('adds the parser-rejected lines to the summary and to the line list, in line order', () => {
    // given
    const parsed = parseStatement(
      'csv',
      ['external_id,amount,currency,direction,date,reference', 'b-1,500,USD,credit,2026-03-10,', 'b-2,1.5,USD,credit,2026-03-10,', 'b-3,42,USD,credit,2026-03-10,'].join('\n'),
    );
    const match = matchStatement(parsed.lines, [entry('e1', 500n, D), entry('e9', 9n, D)], { windowDays: 1 });
    // when
    const summary = summarize(parsed, match);
    const report = buildStatementReport(parsed, match);
    // then
    expect(summary).toEqual({ matched: 1, unmatched: 1, ambiguous: 0, unreconciled: 1, invalid: 1 });
    expect(report.summary).toEqual(summary);
    expect(report.lines).toEqual([
      { line: 2, external_id: 'b-1', status: 'matched', entry_ids: ['e1'], rule: 'amount_date' },
      { line: 3, external_id: 'b-2', status: 'invalid', entry_ids: [], rule: null, error: expect.stringMatching(/^amount must be/) },
      { line: 4, external_id: 'b-3', status: 'unmatched', entry_ids: [], rule: null },
    ]);
  });
});
