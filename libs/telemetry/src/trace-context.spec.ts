import { inSpan, isTracing, joinedTraces, SPAN_LINKS_MAX, activeTraceparent } from './trace-context.js';
import { startTracing } from './tracing.js';

describe('trace context while tracing is off', () => {
  it('starts no SDK without an endpoint or exporter, adds no traceparent, and runs work without a span', async () => {
    expect(await startTracing({ serviceName: 'test', otlpEndpoint: null })).toBeNull();
    expect(isTracing()).toBe(false);
    expect(activeTraceparent()).toBeUndefined();
    expect(await inSpan('x', {}, async (span) => span)).toBeNull();
  });

  it('joins traces: the first valid traceparent is the parent, distinct others are links, at most SPAN_LINKS_MAX', () => {
    const traceparent = (n: number) => `00-${n.toString(16).padStart(32, '0')}-${'1'.repeat(16)}-01`;
    const joined = joinedTraces([undefined, 'garbage', traceparent(1), traceparent(1), traceparent(2), ...Array.from({ length: 200 }, (_, i) => traceparent(i + 3))]);
    expect(joined.parent).not.toBeNull();
    expect(joined.links).toHaveLength(SPAN_LINKS_MAX);
    expect(joined.links[0].context.traceId).toBe(traceparent(2).split('-')[1]);
    expect(joinedTraces([undefined, 'x']).parent).toBeNull();
  });
});
