import { LogController } from 'fastify';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import { installEdge, serverWithTimeouts } from './http/edge.js';
import { jsonDepthExceeds, JSON_DEPTH_MAX } from './http/json-depth.js';
import { intentOf } from './http/command-request.js';
import { firstUnstorableString, insideBatchItem } from './http/storable-text.js';
import { LedgerRequest } from './http/request-context.js';
import { BATCH_ROUTE } from './transactions/transaction-batches.js';
import { ErrorFilter, refusalState, replyFrameworkError } from './http/error.filter.js';
import { validationPipe } from './http/validation.js';
import { addSchemas } from './http/openapi.js';
import { LedgerMetrics } from './operations/metrics.js';
import { LedgerRuntime } from './runtime/ledger-runtime.js';
import { Logger } from '#telemetry/index.js';
import { installRequestLog, requestIdOf } from './http/request-log.js';
import { NestLogger } from './http/nest-logger.js';
import { installConsole } from './http/console.js';


/** Builds the HTTP API around a runtime; main.ts and the tests both start it this way. */
export async function createApiApp(runtime: LedgerRuntime, logger: Logger): Promise<NestFastifyApplication> {
  const metrics = new LedgerMetrics();
  const config = runtime.config;
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    genReqId: requestIdOf,
    // Fastify's two lines per request are off: installRequestLog writes one, with the ledger's fields.
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    serverFactory: serverWithTimeouts(config),
    frameworkErrors: replyFrameworkError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(runtime, metrics), adapter, {
    bodyParser: false,
    logger: new NestLogger(logger),
  });
  const fastify = app.getHttpAdapter().getInstance();
  installRequestLog(fastify, logger);
  await installEdge(fastify, config, runtime.keys);
  if (config.consoleEnabled) installConsole(fastify);

  // Our own JSON parser: an empty body is no body (POST /accounts/:id/freeze from curl). Its
  // errors reach Nest's exception layer, where ErrorFilter makes them validation_failed.
  // Each route's body limit (installEdge) applies; the parser sets none of its own.
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    if (jsonDepthExceeds(text)) {
      return done(Object.assign(new Error(`request body is nested deeper than ${JSON_DEPTH_MAX} levels`), { statusCode: 400 }), undefined);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return done(Object.assign(new Error('request body is not valid JSON'), { statusCode: 400 }), undefined);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return done(Object.assign(new Error('request body must be a JSON object'), { statusCode: 400 }), undefined);
    }
    const unstorable = firstUnstorableString(text, parsed);
    // In a batch, a posting with such a string is refused alone, in its slot (TransactionBatches).
    if (unstorable && insideBatchItem(unstorable) && _req.routeOptions.url === BATCH_ROUTE) (_req as LedgerRequest).bodyHasSuspectEscape = true;
    else if (unstorable) {
      const message = `request body has a string that cannot be stored at ${unstorable}: NUL (\\u0000) or an unpaired UTF-16 surrogate`;
      return done(Object.assign(new Error(message), { statusCode: 400 }), undefined);
    }
    done(null, parsed);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(
    new ErrorFilter(async (request, error) => {
      // Refusals the writer already recorded (decision stage) are not recorded twice.
      const intent = intentOf(request);
      const principal = request.principal;
      if (!intent || principal?.kind !== 'api_key' || (error.status >= 404 && error.status < 500 && error.code !== 'forbidden')) return;
      await runtime.intents.record(principal.tenant_id, intent, refusalState(error));
    }),
  );
  // No Nest shutdown hooks: with an empty list Nest closes the app on every signal it knows
  // (SIGHUP, SIGUSR2, ...) and re-raises it, racing main.ts's own drain on SIGTERM/SIGINT. The
  // process's shutdown (bootstrap's `shutdown`) closes the app itself, in order, after which the
  // writers drain and the log closes.

  const document = addSchemas(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Zentra Ledger')
        .setDescription('Multi-tenant, event-sourced, double-entry ledger. Amounts are strings of minor units; every error is the ErrorEnvelope. Semantics beyond this document: docs/api-semantics.md.')
        .setVersion('0.1.0')
        .setLicense('UNLICENSED: not licensed for use by others', 'https://docs.npmjs.com/cli/v10/configuring-npm/package-json#license')
        .addServer('/', 'the origin this document is served from')
        .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque API key (zl_...)', description: "a tenant's API key, or the platform admin token for /tenants" })
        .addTag('accounts', 'open, read, freeze and close accounts')
        .addTag('transactions', 'balanced postings, batches, reversals')
        .addTag('holds', 'reserve funds, capture, release')
        .addTag('events', "the tenant's event log")
        .addTag('audit', 'the access audit log')
        .addTag('evidence', 'signed, verifiable evidence of what happened')
        .addTag('webhooks', 'endpoints and signed deliveries')
        .addTag('reconciliation', 'trial balance, drift checks, external statements')
        .addTag('policies', 'tenant controls evaluated on every command')
        .addTag('tenants', 'tenants and API keys')
        .addTag('operations', 'health and metrics')
        .build(),
    ),
  );
  // The UI's static assets are served through @fastify/static, which jest's ESM loader cannot
  // import; tests turn the UI off (LEDGER_DOCS_UI=off) and check /docs-json, while the process
  // tests check /docs itself.
  SwaggerModule.setup('docs', app, document, { swaggerUiEnabled: config.docsUiEnabled });
  await app.init();
  return app;
}
