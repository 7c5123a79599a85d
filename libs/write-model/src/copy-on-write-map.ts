import { KeyValue } from '#domain/index.js';

/** Reads fall through to `base`; writes stay here until commit(). */
export class CopyOnWriteMap<V> implements KeyValue<V> {
  private readonly own = new Map<string, V>();

  constructor(private readonly base: Map<string, V>) {}

  get(key: string): V | undefined {
    // One probe of `own` rather than has() then get(): the domain never stores `undefined` as a
    // record (KeyValue holds records), so a miss here is a key this overlay has not written.
    const own = this.own.get(key);
    return own !== undefined ? own : this.base.get(key);
  }

  set(key: string, value: V): this {
    this.own.set(key, value);
    return this;
  }

  commit(): void {
    for (const [key, value] of this.own) this.base.set(key, value);
  }
}
