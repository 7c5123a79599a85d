import { domainError } from '#domain/index.js';
import { CommandEnvelope, CommandOutcome } from './command-envelope.js';
import { CommandQueue, GroupHandler, PendingCommand, WriterOverloadedError } from './command-queue.js';

/** An envelope named by its request id, so the order commands are handled in can be read off. */
function envelope(name: string): CommandEnvelope {
  return {
    tenant_id: 'tenant-1',
    command: { type: 'change_account_status', account_id: 'a', action: 'freeze' },
    idempotency_key: null,
    request_hash: null,
    metadata: { actor: 'test', role: 'admin', request_id: name, intent_id: null, policy: [] },
  };
}

const nameOf = (pending: PendingCommand) => pending.envelope.metadata.request_id;
/** An outcome that says which command it answers. */
const answerFor = (pending: PendingCommand): CommandOutcome => ({ kind: 'rejected', error: domainError('not_found', nameOf(pending)) });
const answered = (outcome: CommandOutcome) => (outcome.kind === 'rejected' ? outcome.error.message : 'accepted');

/** A handler that records each group and answers every command in it, after a turn of the event loop. */
function recordingHandler(): { groups: string[][]; handle: GroupHandler; inFlight: () => number; maxInFlight: () => number } {
  const groups: string[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const handle: GroupHandler = async (group) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    groups.push(group.map(nameOf));
    await new Promise((resolve) => setImmediate(resolve));
    for (const pending of group) pending.resolve(answerFor(pending));
    inFlight--;
    return [];
  };
  return { groups, handle, inFlight: () => inFlight, maxInFlight: () => maxInFlight };
}

const names = (count: number, prefix = 'c') => Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);

describe('CommandQueue', () => {
  it('answers every command with its own outcome, in groups of at most the group limit, in arrival order, one group at a time', async () => {
    const handler = recordingHandler();
    const queue = new CommandQueue('tenant-1', handler.handle, 100, 3);
    const outcomes = await Promise.all([queue.submit(envelope('c1')), ...queue.submitMany(names(6).slice(1).map(envelope)), queue.submit(envelope('c7'))]);
    expect(outcomes.map(answered)).toEqual(names(7));
    // c1 starts the loop alone; what queued meanwhile goes in groups of three.
    expect(handler.groups).toEqual([['c1'], ['c2', 'c3', 'c4'], ['c5', 'c6', 'c7']]);
    expect(handler.maxInFlight()).toBe(1);
  });

  it('puts what a group did not get to next, ahead of anything queued since', async () => {
    const groups: string[][] = [];
    let first = true;
    const queue: CommandQueue = new CommandQueue('tenant-1', async (group) => {
      groups.push(group.map(nameOf));
      if (first) {
        first = false;
        void queue.submit(envelope('late')); // arrives while the first group is in flight
        await new Promise((resolve) => setImmediate(resolve));
        group[0].resolve(answerFor(group[0]));
        return group.slice(1); // the rest did not fit into this append
      }
      for (const pending of group) pending.resolve(answerFor(pending));
      return [];
    }, 100, 10);
    const outcomes = await Promise.all(queue.submitMany(['a', 'b', 'c'].map(envelope)));
    await queue.idle();
    expect(outcomes.map(answered)).toEqual(['a', 'b', 'c']);
    expect(groups).toEqual([['a', 'b', 'c'], ['b', 'c', 'late']]);
  });

  it('refuses a command past the queue limit with WriterOverloadedError, and a batch that would pass it whole', async () => {
    const release: (() => void)[] = [];
    const queue = new CommandQueue('tenant-1', async (group) => {
      await new Promise<void>((resolve) => release.push(resolve));
      for (const pending of group) pending.resolve(answerFor(pending));
      return [];
    }, 3, 1);
    const running = queue.submit(envelope('in-flight')); // taken from the queue at once
    const queued = queue.submitMany(['q1', 'q2'].map(envelope));
    const tooMany = await Promise.allSettled(queue.submitMany(['x1', 'x2'].map(envelope)));
    expect(tooMany.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(tooMany[0]).toMatchObject({ reason: expect.any(WriterOverloadedError) });
    const last = queue.submit(envelope('q3')); // exactly at the limit: taken
    await expect(queue.submit(envelope('over'))).rejects.toThrow('writer queue for tenant tenant-1 is full');
    while (!queue.isIdle) {
      release.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await Promise.all([running, ...queued, last])).map(answered)).toEqual(['in-flight', 'q1', 'q2', 'q3']);
  });

  it('fails only the group of a handler that throws, and keeps draining', async () => {
    const queue = new CommandQueue('tenant-1', async (group) => {
      if (group.some((pending) => nameOf(pending) === 'poison')) throw new Error('handler broke');
      for (const pending of group) pending.resolve(answerFor(pending));
      return [];
    }, 100, 2);
    const results = await Promise.allSettled(queue.submitMany(['ok1', 'poison', 'ok2', 'ok3'].map(envelope)));
    expect(results.map((r) => (r.status === 'fulfilled' ? answered(r.value) : (r.reason as Error).message))).toEqual(['handler broke', 'handler broke', 'ok2', 'ok3']);
    expect(queue.isIdle).toBe(true);
  });

  it('is idle before the first command and once every command is answered; idle() waits for that', async () => {
    const handler = recordingHandler();
    const queue = new CommandQueue('tenant-1', handler.handle, 100, 2);
    expect(queue.isIdle).toBe(true);
    const answers: string[] = [];
    for (const promise of queue.submitMany(names(5).map(envelope))) void promise.then((outcome) => answers.push(answered(outcome)));
    expect(queue.isIdle).toBe(false);
    await queue.idle();
    expect(queue.isIdle).toBe(true);
    expect(answers).toEqual(names(5));
  });
});
