import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { RunningTracing, startTracing } from '#telemetry/tracing.js';
import { TestLedger } from './support/ledger.js';
import { waitFor } from './support/wait.js';

/**
 * Traces with the SDK's in-memory exporter: one request's trace holds its command (decide,
 * append with the group size), the projection batches that applied its events and the webhook
 * attempt that delivered one, joined through the traceparent its events carry in their metadata.
 */
describe('tracing: a request is followed from the HTTP span to its events\' projection and webhook', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: RunningTracing | null;
  let t: TestLedger;
  let receiver: Server;
  let receiverUrl: string;
  let received = 0;

  beforeAll(async () => {
    tracing = await startTracing({ serviceName: 'zentra-ledger-test', otlpEndpoint: null, exporter });
    receiver = createServer((req, res) => {
      received++;
      req.resume();
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    t = await TestLedger.start({ LEDGER_WEBHOOK_ALLOW_PRIVATE: 'true' });
  });
  afterAll(async () => {
    await t.stop();
    await tracing?.shutdown();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const spans = (name: string, traceId: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name && s.spanContext().traceId === traceId);

  it('puts the command, its decide and append, the projection batches and the webhook attempt in the request\'s trace', async () => {
    expect(tracing).not.toBeNull();
    const { key, funding, accounts } = await t.fundedTenant(1);
    expect((await t.request('POST', '/webhook-endpoints', { token: key, body: { url: receiverUrl, events: ['ledger.entry.posted'] } })).status).toBe(201);
    const posted = await t.transfer(key, funding.id, accounts[0].id, '42', { 'X-Request-Id': 'req-traced-1', 'X-Intent-Id': 'intent-traced-1' });
    expect(posted.status).toBe(201);

    const command = await waitFor('the command span', async () => exporter.getFinishedSpans().find((s) => s.name === 'ledger.command' && s.attributes['ledger.request_id'] === 'req-traced-1'));
    expect(command.attributes['ledger.intent_id']).toBe('intent-traced-1');
    expect(command.attributes['ledger.command']).toBe('post_transaction');
    const traceId = command.spanContext().traceId;
    // The request's log line leads to this trace.
    expect(t.log.entries().find((entry) => entry.request_id === 'req-traced-1' && entry.msg === 'request')?.trace_id).toBe(traceId);
    // The HTTP request's span (Fastify) is the command's ancestor: the same trace, the request id on it.
    const http = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId && s.attributes['ledger.request_id'] === 'req-traced-1' && s.name !== 'ledger.command');
    expect(http.length).toBeGreaterThan(0);
    const [decide] = spans('ledger.decide', traceId);
    const [append] = spans('ledger.append', traceId);
    expect(decide.attributes['ledger.group.size']).toBe(1);
    expect(append.attributes['ledger.group.size']).toBe(1);
    expect(append.attributes['ledger.events']).toBeGreaterThan(0);
    expect(decide.parentSpanContext?.spanId).toBe(command.spanContext().spanId);

    // The events carry the trace; the projector's batches and the webhook attempt join it.
    const [event] = await t.query(`select metadata->>'traceparent' as traceparent from events where metadata->>'request_id' = 'req-traced-1' limit 1`);
    expect(event.traceparent).toContain(traceId);
    // A batch holding several requests' events is in the first one's trace and linked from the
    // others' (batch-span.ts): once caught up, the projector lets appends gather a few ms
    // (LEDGER_PROJECTOR_LINGER_MS), so this request's events may share a batch with the funding's.
    const batchOf = (s: ReadableSpan) => s.name === 'projection.batch' && s.attributes['ledger.projection'] === 'accounts';
    const joins = (s: ReadableSpan) => s.spanContext().traceId === traceId || s.links.some((link) => link.context.traceId === traceId);
    await waitFor('a projection batch in (or linked from) the trace', async () => exporter.getFinishedSpans().some((s) => batchOf(s) && joins(s)) || null);
    const attempt = await waitFor('the webhook attempt in the trace', async () => spans('webhook.attempt', traceId)[0]);
    expect(attempt.attributes['ledger.webhook.outcome']).toBe('200');
    expect(received).toBeGreaterThan(0);
  });

  it('traces a batch as one group: its append span counts the commands decided and appended together', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const entries = (amount: string) => [
      { account_id: funding.id, direction: 'debit', amount },
      { account_id: accounts[0].id, direction: 'credit', amount },
    ];
    const batch = await t.request('POST', '/transactions/batch', { token: key, headers: { 'X-Request-Id': 'req-batch-1' }, body: { transactions: [{ entries: entries('1') }, { entries: entries('2') }, { entries: entries('3') }] } });
    expect(batch.status).toBe(200);
    const commands = await waitFor('the batch span', async () => exporter.getFinishedSpans().find((s) => s.name === 'ledger.commands' && s.attributes['ledger.request_id'] === 'req-batch-1'));
    expect(commands.attributes['ledger.commands']).toBe(3);
    const appends = spans('ledger.append', commands.spanContext().traceId);
    expect(appends.map((s) => s.attributes['ledger.group.size'])).toEqual([3]);
    expect(appends[0].links).toEqual([]);
  });

  it('keeps the trace off the receiver: a webhook request carries no traceparent header', async () => {
    let header: string | undefined = 'unset';
    const spy = createServer((req, res) => {
      header = req.headers.traceparent as string | undefined;
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => spy.listen(0, '127.0.0.1', resolve));
    try {
      const { key, funding, accounts } = await t.fundedTenant(1);
      const url = `http://127.0.0.1:${(spy.address() as AddressInfo).port}/spy`;
      expect((await t.request('POST', '/webhook-endpoints', { token: key, body: { url, events: ['ledger.entry.posted'] } })).status).toBe(201);
      expect((await t.transfer(key, funding.id, accounts[0].id, '7')).status).toBe(201);
      await waitFor('the spy receives the delivery', async () => header !== 'unset' || null);
      expect(header).toBeUndefined();
    } finally {
      await new Promise((resolve) => spy.close(resolve));
    }
  });
});
