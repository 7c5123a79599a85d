import { inSpan, isTracing, joinedTraces } from '#telemetry/index.js';
import { PendingCommand } from './command-queue.js';

/**
 * Runs one step of a group commit (`ledger.decide`, `ledger.append`) in a span that joins the
 * traces of the group's commands: the first command's as parent, the others linked. The group
 * size is an attribute: a slow append shared by 3,000 commands reads differently from a lone one.
 */
export function inGroupSpan<T>(name: string, group: PendingCommand[], attributes: Record<string, number | string>, work: () => Promise<T>): Promise<T> {
  if (!isTracing()) return work();
  const { parent, links } = joinedTraces(group.map((pending) => pending.envelope.metadata.traceparent));
  return inSpan(name, { parent, links, attributes: { 'ledger.group.size': group.length, ...attributes } }, work);
}
