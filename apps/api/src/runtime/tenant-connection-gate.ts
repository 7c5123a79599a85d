import { ApiError } from '../http/api-error.js';

/** Requests of one tenant waiting for one of its connections, at most; more are refused at once (503). */
export const TENANT_WAITERS_MAX = 1_000;

interface Waiter {
  admit: () => void;
  timer: NodeJS.Timeout;
}

interface TenantSlots {
  held: number;
  waiting: Waiter[];
}

/**
 * One tenant cannot take the whole pool: at most `max` of a tenant's reads run at once (each
 * holds at most one pool connection at a time), the rest wait in order for up to `waitMs`, then
 * answer 503 `unavailable`. Per request: a map lookup and a counter, no I/O.
 */
export class TenantConnectionGate {
  private readonly tenants = new Map<string, TenantSlots>();

  constructor(
    readonly max: number,
    readonly waitMs: number,
  ) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`max must be a whole number >= 1, got ${max}`);
  }

  /** Resolves once the tenant has a free slot; rejects with 503 after `waitMs` (or at once when too many wait). */
  acquire(tenantId: string): Promise<void> {
    let slots = this.tenants.get(tenantId);
    if (!slots) this.tenants.set(tenantId, (slots = { held: 0, waiting: [] }));
    if (slots.held < this.max) {
      slots.held++;
      return Promise.resolve();
    }
    if (slots.waiting.length >= TENANT_WAITERS_MAX) return Promise.reject(this.busy());
    const queue = slots.waiting;
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(waiter), 1);
          reject(this.busy());
        }, this.waitMs),
      };
      queue.push(waiter);
    });
  }

  /** Gives the slot to the next waiter of the tenant, or frees it. */
  release(tenantId: string): void {
    const slots = this.tenants.get(tenantId);
    if (!slots) return;
    const next = slots.waiting.shift();
    if (next) return next.admit(); // the slot passes on: `held` stays
    slots.held--;
    if (slots.held === 0) this.tenants.delete(tenantId);
  }

  /** Slots held by the tenant now (for tests and metrics). */
  held(tenantId: string): number {
    return this.tenants.get(tenantId)?.held ?? 0;
  }

  private busy(): ApiError {
    return new ApiError(503, 'unavailable', `too many of this tenant's reads are running at once (at most ${this.max}); retry shortly`, {
      tenant_connections_max: this.max,
    });
  }
}
