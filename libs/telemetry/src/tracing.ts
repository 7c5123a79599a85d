import { markTracingStarted } from './trace-context.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Spans waiting to be exported beyond this are dropped (the SDK counts them), never buffered without bound. */
const EXPORT_QUEUE_SPANS_MAX = 2_048;
/** Spans per OTLP export request. */
const EXPORT_BATCH_SPANS_MAX = 512;
/** How long finished spans wait to be batched, at most. */
const EXPORT_DELAY_MS = 1_000;
/** An export that takes longer is abandoned (its spans are dropped). */
const EXPORT_TIMEOUT_MS = 10_000;

export interface RunningTracing {
  /** Exports what is still queued and stops. */
  shutdown: () => Promise<void>;
}

/**
 * Starts OpenTelemetry for this process: a tracer provider with the HTTP, pg and Fastify
 * instrumentations, exporting over OTLP (HTTP, protobuf) to `otlpEndpoint`, or to `exporter`
 * (a test's in-memory one), each span as it ends. Returns null and loads nothing when neither
 * is given: with tracing off no SDK module is even imported.
 *
 * Call it before the HTTP server and the pg pool are created. The HTTP and pg instrumentations
 * patch modules as they load (main.ts imports the rest of the process after this); the Fastify
 * one attaches to each Fastify instance as it is created (`registerOnInitialization`).
 */
export async function startTracing(options: { serviceName: string; otlpEndpoint: string | null; exporter?: SpanExporter }): Promise<RunningTracing | null> {
  if (!options.otlpEndpoint && !options.exporter) return null;
  const [{ NodeTracerProvider }, { BatchSpanProcessor, SimpleSpanProcessor }, { resourceFromAttributes }, { registerInstrumentations }, { HttpInstrumentation }, { PgInstrumentation }, { FastifyOtelInstrumentation }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/instrumentation'),
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/instrumentation-pg'),
      import('@fastify/otel'),
    ]);
  let processor;
  if (options.exporter) processor = new SimpleSpanProcessor(options.exporter);
  else {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
    processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint}/v1/traces`, timeoutMillis: EXPORT_TIMEOUT_MS }), {
      maxQueueSize: EXPORT_QUEUE_SPANS_MAX,
      maxExportBatchSize: EXPORT_BATCH_SPANS_MAX,
      scheduledDelayMillis: EXPORT_DELAY_MS,
      exportTimeoutMillis: EXPORT_TIMEOUT_MS,
    });
  }
  const provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': options.serviceName }), spanProcessors: [processor] });
  // Registers the provider, the W3C trace-context propagator and the async-hooks context manager.
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      // Health probes and metric scrapes would be most of the spans and say nothing.
      // Outgoing requests are webhook deliveries: a receiver is a third party, and our trace ids
      // are not its to see (no span, no traceparent header); the attempt has its own span.
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => request.url === '/health' || request.url === '/metrics',
        ignoreOutgoingRequestHook: () => true,
      }),
      // Statement text is recorded (placeholders, never values: our SQL takes parameters). Only
      // inside a trace: the projector's and the sweeper's polling would otherwise be most spans.
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        ignorePaths: (route: { url: string }) => route.url === '/health' || route.url === '/metrics',
        requestHook: (span: { setAttribute: (key: string, value: string) => void }, request: { id: string }) => span.setAttribute('ledger.request_id', String(request.id)),
      }),
    ],
  });
  markTracingStarted(true);
  return {
    shutdown: async () => {
      markTracingStarted(false);
      unregister();
      await provider.shutdown();
    },
  };
}
