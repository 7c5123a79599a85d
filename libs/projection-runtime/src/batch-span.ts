import { RecordedEvent } from '#event-store/index.js';
import { inSpan, isTracing, joinedTraces } from '#telemetry/index.js';

/**
 * Runs the application of one batch of events to a projection in a `projection.batch` span that
 * joins the traces of the requests whose events it holds (their `metadata.traceparent`): the
 * first as parent, the others linked. A request followed in its trace shows where its events
 * were projected, and how long that batch took.
 */
export function inBatchSpan<T>(projection: string, events: RecordedEvent[], work: () => Promise<T>): Promise<T> {
  if (!isTracing()) return work();
  const { parent, links } = joinedTraces(events.map((event) => (event.metadata as { traceparent?: unknown } | null)?.traceparent));
  const attributes = {
    'ledger.projection': projection,
    'ledger.events': events.length,
    'ledger.position.first': String(events[0]?.position ?? ''),
    'ledger.position.last': String(events.at(-1)?.position ?? ''),
  };
  return inSpan('projection.batch', { parent, links, attributes }, work);
}
