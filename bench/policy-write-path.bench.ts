import { createPolicy, amountLimit, velocityLimit } from '#domain/testing/policy-fixtures.js';
import { accountCreated, credit, debit, postTransaction } from '#domain/testing/ledger-fixtures.js';
import { decideControlled, evolve, LedgerEvent } from '#domain/index.js';
import { eventHash } from '#audit/index.js';
import { commitPlan, planGroup } from '#write-model/group-plan.js';
import { PendingCommand } from '#write-model/command-queue.js';
import { WriterClock } from '#write-model/writer-clock.js';
import { emptyWriterState, WriterState } from '#write-model/writer-state.js';
import { table } from './support.js';

/**
 * What 10 policies in scope cost a posting on the writer's path, in process and without I/O, so
 * a shared machine's noise (which swamps `npm run bench policies`) does not: the writer's own
 * group planning (decide under the policies, envelope and hash each event, fold it), then what
 * the log's reader does with each event (parse its JSON, hash it again, as the pre-signing chain
 * verification does). Same accounts and postings as the policies bench; CPU time per posting,
 * the best of BENCH_REPEATS (default 3) runs of BENCH_POSTINGS (default 20,000) in groups of 1,000.
 * The 5 velocity limits have the same window, as in the HTTP bench, so they count the same thing
 * and share one window per account (countVelocity); BENCH_DISTINCT_WINDOWS=1 gives each its own
 * length (3600, 3599, ... s), 5 windows kept apart: the worst case for the same limits.
 */
const POSTINGS = Number(process.env.BENCH_POSTINGS ?? 20_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const GROUP_COMMANDS = 1000;
const ACCOUNTS = 1000;
const AMOUNT_LIMITS = 5;
const VELOCITY_LIMITS = 5;
const VELOCITY_WINDOW_SECONDS = 3600;
const DISTINCT_WINDOWS = process.env.BENCH_DISTINCT_WINDOWS === '1';
/** The writer's log time advances this much per posting: ~2,000 postings a second, as the HTTP bench. */
const POSTING_INTERVAL_MS = 0.5;
const T0 = Date.parse('2030-01-01T00:00:00.000Z');

function tenant(policies: number): WriterState {
  const state = emptyWriterState();
  const fold = (events: LedgerEvent[]) => events.forEach((e) => evolve(state, e, state.revision + 1n));
  for (let i = 0; i < ACCOUNTS; i++) fold([accountCreated(`account-${i}`, { allow_negative: true })]);
  for (let i = 0; i < policies; i++) {
    const windowSeconds = DISTINCT_WINDOWS ? VELOCITY_WINDOW_SECONDS - (i - AMOUNT_LIMITS) : VELOCITY_WINDOW_SECONDS;
    const rule = i >= AMOUNT_LIMITS ? velocityLimit('USD', 10n ** 15n, windowSeconds) : amountLimit('USD', BigInt(1_000_000 + i));
    const decided = decideControlled(state, createPolicy(rule, { name: `policy ${i}` }), { now: new Date(T0).toISOString(), newId: () => `policy-${i}` });
    if ('code' in decided) throw new Error(decided.message);
    fold(decided.events);
  }
  return state;
}

function pending(i: number): PendingCommand {
  const from = `account-${(i * 7) % ACCOUNTS}`;
  const to = `account-${(i * 7 + 1 + (i % 13)) % ACCOUNTS}`;
  const amount = BigInt(1 + (i % 100));
  return {
    envelope: {
      tenant_id: 'tenant',
      command: postTransaction([debit(from, amount), credit(to, amount)]),
      idempotency_key: null,
      request_hash: null,
      metadata: { actor: 'key:bench', role: 'service', request_id: `request-${i}`, intent_id: null, policy: ['tenant_scope.passed', 'role.passed'] },
    },
    resolve: () => undefined,
    reject: (error) => {
      throw error;
    },
  };
}

/** CPU µs per posting: planning only, and planning plus reading every event back. */
function run(policies: number): { plan: number; readBack: number } {
  const state = tenant(policies);
  let now = T0 + 1000;
  const clock: WriterClock = { nowMs: () => now, refusal: () => null };
  let planUs = 0;
  let readUs = 0;
  for (let first = 0; first < POSTINGS; first += GROUP_COMMANDS) {
    const group = Array.from({ length: GROUP_COMMANDS }, (_, k) => pending(first + k));
    now += GROUP_COMMANDS * POSTING_INTERVAL_MS;
    let started = process.cpuUsage();
    const plan = planGroup(state, group, clock);
    commitPlan(plan.working, state);
    let spent = process.cpuUsage(started);
    planUs += spent.user + spent.system;
    started = process.cpuUsage();
    for (const event of plan.events) {
      const metadata = JSON.parse(event.serialized.metadata);
      if (eventHash(event.type, JSON.parse(event.serialized.data), metadata, metadata.prev_hash) !== metadata.hash) throw new Error('hash');
    }
    spent = process.cpuUsage(started);
    readUs += spent.user + spent.system;
  }
  return { plan: planUs / POSTINGS, readBack: (planUs + readUs) / POSTINGS };
}

function main(): void {
  const best = { none: { plan: Infinity, readBack: Infinity }, ten: { plan: Infinity, readBack: Infinity } };
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    // Alternate who goes first, as the HTTP bench does.
    const order = (repeat % 2 === 0 ? [['none', 0], ['ten', AMOUNT_LIMITS + VELOCITY_LIMITS]] : [['ten', AMOUNT_LIMITS + VELOCITY_LIMITS], ['none', 0]]) as ['none' | 'ten', number][];
    // BENCH_ONLY=none|ten: one tenant only (to profile it alone).
    for (const [name, policies] of order.filter(([name]) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY === name)) {
      const result = run(policies);
      best[name] = { plan: Math.min(best[name].plan, result.plan), readBack: Math.min(best[name].readBack, result.readBack) };
    }
  }
  const rows = (['plan', 'readBack'] as const).map((stage) => ({
    stage: stage === 'plan' ? 'plan (decide, envelope, fold)' : '+ read back (parse, re-hash)',
    'no policies µs/posting': best.none[stage].toFixed(1),
    '10 policies µs/posting': best.ten[stage].toFixed(1),
    'difference µs': (best.ten[stage] - best.none[stage]).toFixed(1),
    ratio: (best.ten[stage] / best.none[stage]).toFixed(2),
  }));
  console.log(`\npolicy write path, in process: ${POSTINGS} postings in groups of ${GROUP_COMMANDS}, ${ACCOUNTS} accounts, best of ${REPEATS}${DISTINCT_WINDOWS ? ', 5 distinct windows' : ''}`);
  console.log(table(rows));
}

main();
