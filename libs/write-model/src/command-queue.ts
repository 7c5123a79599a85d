import { CommandEnvelope, CommandOutcome } from './command-envelope.js';

/** At most this many queued commands are decided and appended together (group commit). */
export const GROUP_COMMANDS_MAX = 8190;
/** Commands waiting for one tenant beyond this are refused as overload. */
export const WRITER_QUEUE_MAX = 50_000;
/** How often `idle()` looks whether the drain loop has stopped, in milliseconds. */
const IDLE_POLL_MS = 5;

export class WriterOverloadedError extends Error {
  constructor(tenantId: string) {
    super(`writer queue for tenant ${tenantId} is full`);
  }
}

/** A queued command and the caller waiting for its outcome. */
export interface PendingCommand {
  envelope: CommandEnvelope;
  resolve: (outcome: CommandOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Answers every command of a group, or returns those it did not get to: they go next, ahead of
 * anything queued since, so the order of a tenant's commands is kept.
 */
export type GroupHandler = (group: PendingCommand[]) => Promise<PendingCommand[]>;

/**
 * One tenant's commands in arrival order, handed to the writer in groups of at most
 * GROUP_COMMANDS_MAX by a single drain loop (so groups never overlap). The loop runs while
 * anything is queued and stops when the queue is empty; the next command starts it again.
 */
export class CommandQueue {
  private readonly waiting: PendingCommand[] = [];
  private running = false;

  constructor(
    private readonly tenantId: string,
    private readonly handleGroup: GroupHandler,
    /** Lowered by tests; see WRITER_QUEUE_MAX and GROUP_COMMANDS_MAX. */
    private readonly queueMax = WRITER_QUEUE_MAX,
    private readonly groupMax = GROUP_COMMANDS_MAX,
  ) {}

  submit(envelope: CommandEnvelope): Promise<CommandOutcome> {
    if (this.waiting.length >= this.queueMax) return Promise.reject(new WriterOverloadedError(this.tenantId));
    return new Promise((resolve, reject) => {
      this.waiting.push({ envelope, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  /** Queues several commands back to back (all or none): they are handled in this order. */
  submitMany(envelopes: CommandEnvelope[]): Promise<CommandOutcome>[] {
    if (this.waiting.length + envelopes.length > this.queueMax) {
      return envelopes.map(() => Promise.reject(new WriterOverloadedError(this.tenantId)));
    }
    const promises = envelopes.map(
      (envelope) => new Promise<CommandOutcome>((resolve, reject) => this.waiting.push({ envelope, resolve, reject })),
    );
    if (!this.running) void this.drain();
    return promises;
  }

  /**
   * Moves what has been queued since `group` was taken onto its end, up to GROUP_COMMANDS_MAX
   * (the order stays arrival order: the group was the queue's head). For a handler that had to
   * wait before deciding (its turn among several processes): what arrived meanwhile goes in
   * this turn rather than waiting for the next.
   */
  topUp(group: PendingCommand[]): void {
    const room = this.groupMax - group.length;
    if (room > 0 && this.waiting.length > 0) group.push(...this.waiting.splice(0, room));
  }

  /** Nothing queued (a group may be in flight). */
  get isEmpty(): boolean {
    return this.waiting.length === 0;
  }

  /** Nothing queued or in flight. */
  get isIdle(): boolean {
    return !this.running && this.waiting.length === 0;
  }

  /** Resolves once every queued command has been answered. */
  async idle(): Promise<void> {
    while (this.running) await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS));
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.groupMax);
        let deferred: PendingCommand[];
        try {
          deferred = await this.handleGroup(group);
        } catch (error) {
          // The writer answers every failure itself; should a handler throw anyway, its group
          // fails (a settled promise ignores a second answer) and the queue keeps draining.
          for (const pending of group) pending.reject(error);
          deferred = [];
        }
        this.waiting.unshift(...deferred);
      }
    } finally {
      this.running = false;
    }
  }
}
