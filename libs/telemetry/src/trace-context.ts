import { Attributes, Context, context, defaultTextMapGetter, defaultTextMapSetter, Link, ROOT_CONTEXT, Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/** The name our own spans are created under. */
export const TRACER_NAME = 'zentra-ledger';
/** At most this many links on one span (a group commit or a projection batch joins many requests' traces). */
export const SPAN_LINKS_MAX = 128;

/**
 * Events carry W3C trace context whatever propagators the process's HTTP traffic uses
 * (OTEL_PROPAGATORS): the field in the log has one meaning.
 */
const W3C = new W3CTraceContextPropagator();

/**
 * Whether this process started a tracing SDK (tracing.ts). While it has not, the helpers below
 * do nothing but run the work: no span objects, no context switches, no metadata field.
 */
let tracingStarted = false;

export function markTracingStarted(started: boolean): void {
  tracingStarted = started;
}

export function isTracing(): boolean {
  return tracingStarted;
}

/**
 * The W3C `traceparent` of the active span, carried in a command's metadata (and so in its
 * events') so that whoever handles the events later (projector, webhook dispatcher, possibly in
 * another process) joins the request's trace. Undefined while tracing is off.
 */
export function activeTraceparent(): string | undefined {
  if (!tracingStarted || !trace.getActiveSpan()?.isRecording()) return undefined;
  const carrier: Record<string, string> = {};
  W3C.inject(context.active(), carrier, defaultTextMapSetter);
  return carrier.traceparent;
}

/** The trace context a `traceparent` names, or null for anything else. */
export function contextOf(traceparent: unknown): Context | null {
  if (typeof traceparent !== 'string') return null;
  const extracted = W3C.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
  return trace.getSpanContext(extracted) ? extracted : null;
}

/**
 * One span for work done on behalf of several traced requests (a group of commands, a batch of
 * events): its parent is the first one's trace, the others are linked (distinct, at most
 * SPAN_LINKS_MAX), so a single request's trace shows the work, and a shared batch is findable from each.
 */
export function joinedTraces(traceparents: Iterable<unknown>): { parent: Context | null; links: Link[] } {
  let parent: Context | null = null;
  const links: Link[] = [];
  const seen = new Set<string>();
  for (const traceparent of traceparents) {
    if (typeof traceparent !== 'string' || seen.has(traceparent)) continue;
    seen.add(traceparent);
    const found = contextOf(traceparent);
    if (!found) continue;
    if (!parent) parent = found;
    else if (links.length < SPAN_LINKS_MAX) links.push({ context: trace.getSpanContext(found)! });
    else break;
  }
  return { parent, links };
}

/**
 * Runs `work` inside a span of ours (`parent` given, else the active context), recording an
 * error it throws; while tracing is off it runs `work` alone (`span` is null).
 */
export async function inSpan<T>(
  name: string,
  options: { parent?: Context | null; links?: Link[]; attributes?: Attributes },
  work: (span: Span | null) => Promise<T>,
): Promise<T> {
  if (!tracingStarted) return work(null);
  const tracer = trace.getTracer(TRACER_NAME);
  return tracer.startActiveSpan(name, { links: options.links, attributes: options.attributes }, options.parent ?? context.active(), async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The trace id of the active span, for log lines (a log line leads to its trace); undefined while tracing is off. */
export function activeTraceId(): string | undefined {
  if (!tracingStarted) return undefined;
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}
