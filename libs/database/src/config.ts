import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
// Each library keeps its own settings' names, defaults and checks in a file that imports nothing,
// so that reading them all here makes no import cycle (npm run lint:deps).
import { eventStoreUrlFromEnv } from '#event-store/event-log-url.js';
import { APPEND_SIZE_CEILING, APPEND_SIZE_FLOOR } from '#event-store/event-store.port.js';
import { LagThresholds, lagThresholds } from '#projection-runtime/lag-thresholds.js';
import { WebhookConfig, webhookConfig } from '#webhooks/webhook-config.js';
import { writerRecordsMax } from '#write-model/writer-records-max.js';
import { LogFormat, LogLevel, telemetrySettings } from '#telemetry/telemetry-settings.js';
import { writerSnapshotEvents } from '#write-model/writer-snapshot-events.js';

/** Service configuration, read from the environment once at start (each app's main.ts) and passed down. */
export interface LedgerConfig {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  adminToken: string | null;
  /** Seals tenants' private signing keys (LEDGER_MASTER_KEY or LEDGER_MASTER_KEY_FILE; for the embedded default kept in LEDGER_DATA_DIR). */
  masterKey: string;
  projectorEnabled: boolean;
  /** How long a read waits for projections to reach the caller's last write. */
  readYourWritesTimeoutMs: number;
  poolSize: number;
  /** PostgreSQL's statement_timeout on the API pool's connections (LEDGER_STATEMENT_TIMEOUT_MS; 0 = none). */
  statementTimeoutMs: number;
  /** Pool connections one tenant's reads may hold at once (LEDGER_TENANT_CONNECTIONS_MAX, 1 to the pool size). */
  tenantConnectionsMax: number;
  /** How long a tenant's read waits for one of its connections before 503 (LEDGER_TENANT_CONNECTION_WAIT_MS). */
  tenantConnectionWaitMs: number;
  /** How often expired holds are swept (released with reason `expired`). */
  holdSweepIntervalMs: number;
  /** `GET /holds?stuck=true` also lists pending holds older than this. */
  stuckHoldSeconds: number;
  /** Events a projection applies per transaction (LEDGER_PROJECTION_BATCH, 1 to 500). */
  projectionBatch: number;
  /** Once caught up, how long a projector lets appends gather before applying them as one batch. */
  projectorLingerMs: number;
  /** Scheduled drift checks of every tenant; 0 turns them off. */
  reconcileIntervalMinutes: number;
  /** Commands are refused while this process's clock differs from PostgreSQL's by more (LEDGER_CLOCK_SKEW_MAX_MS). */
  clockSkewMaxMs: number;
  /** LEDGER_LOG: silent, error, warn, info (default) or debug. */
  logLevel: LogLevel;
  /** LEDGER_LOG_FORMAT: json, or pretty (the default when stdout is a terminal). */
  logFormat: LogFormat;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: traces are exported there over OTLP; null = tracing off (no SDK started). */
  otlpEndpoint: string | null;
  /** Request bodies beyond this are refused with 413 before they are parsed (batch and statements take 16 MiB). */
  bodyLimitBytes: number;
  /** Requests per second each API key may send (bursts up to twice that); 0 turns the limit off. */
  rateLimitPerSecond: number;
  /** A request must arrive whole (headers and body) within this; slower connections are closed. */
  requestTimeoutMs: number;
  /** EventStoreDB's connection string (EVENTSTORE_URL), or null for the PostgreSQL log. */
  eventStoreUrl: string | null;
  /** The EventStoreDB server's MaxAppendSize (EVENTSTORE_MAX_APPEND_SIZE, the server's own setting's name): the writer's groups stay below it. */
  eventStoreMaxAppendBytes: number;
  /** Serve the Swagger UI at /docs (LEDGER_DOCS_UI=off serves only /docs-json). */
  docsUiEnabled: boolean;
  /** Serve the operator console at /console (LEDGER_CONSOLE=off: an API with no web UI of its own). */
  consoleEnabled: boolean;
  /** Webhook deliveries and endpoints (LEDGER_WEBHOOK_*). */
  webhooks: WebhookConfig;
  /** Beyond these a projection makes /health `degraded` (LEDGER_LAG_EVENTS_DEGRADED, LEDGER_LAG_SECONDS_DEGRADED). */
  lagThresholds: LagThresholds;
  /** Idempotency keys, transactions and holds each tenant's writer keeps in memory, each (LEDGER_WRITER_RECORDS_MAX). */
  writerRecordsMax: number;
  /** A writer snapshots its tenant's state every this many events it appends (LEDGER_WRITER_SNAPSHOT_EVENTS; 0 = never). */
  writerSnapshotEvents: number;
  /** Writers of one tenant in several processes take turns through a PostgreSQL advisory lock while both are active (LEDGER_WRITER_LOCK=off: never). */
  writerLock: boolean;
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return parsed;
}

function onOffFrom(value: string | undefined, name: string): boolean {
  if (value === undefined || value === '' || value === 'on') return true;
  if (value === 'off') return false;
  throw new Error(`${name} must be on or off, got "${value}"`);
}

function positiveIntFrom(value: string | undefined, fallback: number, name: string): number {
  const parsed = intFrom(value, fallback, name);
  if (parsed === 0) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return parsed;
}

/** Between the server's default (1 MiB, which the largest command fits in) and the most a server starts with. */
function eventStoreMaxAppendBytesFrom(value: string | undefined): number {
  const bytes = intFrom(value, APPEND_SIZE_CEILING, 'EVENTSTORE_MAX_APPEND_SIZE');
  if (bytes < APPEND_SIZE_FLOOR || bytes > APPEND_SIZE_CEILING) {
    throw new Error(`EVENTSTORE_MAX_APPEND_SIZE must be between ${APPEND_SIZE_FLOOR} and ${APPEND_SIZE_CEILING} bytes (the server's own limits), got "${value}"`);
  }
  return bytes;
}

/** The projector's batch: at most 500 events per transaction (the rebuild and the runner agree on no more). */
function projectionBatchFrom(value: string | undefined): number {
  const batch = intFrom(value, 500, 'LEDGER_PROJECTION_BATCH');
  if (batch < 1 || batch > 500) throw new Error(`LEDGER_PROJECTION_BATCH must be between 1 and 500, got "${value}"`);
  return batch;
}

/**
 * A projector that has caught up waits this long after an append before applying, so the appends
 * of that window share one transaction: at low concurrency each posting otherwise pays a
 * projection transaction of its own (a statement per read model plus begin, checkpoint and commit).
 * Reads that wait for their writes (LEDGER_READ_WAIT_MS) wait up to this much longer.
 */
export const PROJECTOR_LINGER_MS_DEFAULT = 5;
/** More than this would leave the read models a visible second behind. */
const PROJECTOR_LINGER_MS_MAX = 1000;

function projectorLingerFrom(value: string | undefined): number {
  const ms = intFrom(value, PROJECTOR_LINGER_MS_DEFAULT, 'LEDGER_PROJECTOR_LINGER_MS');
  if (ms > PROJECTOR_LINGER_MS_MAX) throw new Error(`LEDGER_PROJECTOR_LINGER_MS must be between 0 and ${PROJECTOR_LINGER_MS_MAX}, got "${value}"`);
  return ms;
}

/** A query running longer than this on an API connection is cancelled (answered 503). */
export const STATEMENT_TIMEOUT_MS_DEFAULT = 30_000;
/** How long a read over its tenant's share of the pool waits for one before 503. */
export const TENANT_CONNECTION_WAIT_MS_DEFAULT = 5_000;

/** One tenant's reads may hold at most this many of the pool's connections: half of it by default. */
function tenantConnectionsMaxFrom(value: string | undefined, poolSize: number): number {
  const max = intFrom(value, Math.max(1, Math.floor(poolSize / 2)), 'LEDGER_TENANT_CONNECTIONS_MAX');
  if (max < 1 || max > poolSize) throw new Error(`LEDGER_TENANT_CONNECTIONS_MAX must be between 1 and the pool size (${poolSize}), got "${value}"`);
  return max;
}

/** The clock skew a process may have and still decide commands: at least 1 ms (0 would refuse every command). */
function clockSkewMaxFrom(value: string | undefined): number {
  const maxMs = intFrom(value, 2000, 'LEDGER_CLOCK_SKEW_MAX_MS');
  if (maxMs < 1) throw new Error(`LEDGER_CLOCK_SKEW_MAX_MS must be at least 1, got "${value}"`);
  return maxMs;
}

/** A master key file holds one key; anything bigger is not one (read no further). */
const MASTER_KEY_FILE_BYTES_MAX = 4096;

/**
 * The key in a file (LEDGER_MASTER_KEY_FILE, the generated master.key), trimmed. A file that its
 * group or others may read, write or run is refused, as ssh refuses such a private key: the key
 * opens every tenant's signing key, and a warning in a log nobody reads protects nothing.
 */
export function readMasterKeyFile(file: string, name = 'LEDGER_MASTER_KEY_FILE'): string {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat?.isFile()) throw new Error(`${name}: ${file} is not a file`);
  if ((stat.mode & 0o077) !== 0) {
    throw new Error(`${name}: ${file} is open to group or others (mode ${(stat.mode & 0o777).toString(8)}); make it readable by its owner only (chmod 600)`);
  }
  if (stat.size > MASTER_KEY_FILE_BYTES_MAX) throw new Error(`${name}: ${file} is larger than ${MASTER_KEY_FILE_BYTES_MAX} bytes`);
  const key = readFileSync(file, 'utf8').trim();
  if (!key) throw new Error(`${name}: ${file} is empty`);
  return key;
}

/** LEDGER_MASTER_KEY, or the content of LEDGER_MASTER_KEY_FILE; both at once is a mistake. */
function masterKeyFrom(env: NodeJS.ProcessEnv): string {
  if (env.LEDGER_MASTER_KEY && env.LEDGER_MASTER_KEY_FILE) {
    throw new Error('set LEDGER_MASTER_KEY or LEDGER_MASTER_KEY_FILE, not both');
  }
  return env.LEDGER_MASTER_KEY_FILE ? readMasterKeyFile(env.LEDGER_MASTER_KEY_FILE) : env.LEDGER_MASTER_KEY || '';
}

/** The one place the environment is read; a bad setting refuses to start. */
export function loadConfig(env: NodeJS.ProcessEnv): LedgerConfig {
  const poolSize = intFrom(env.LEDGER_DB_POOL_SIZE, 20, 'LEDGER_DB_POOL_SIZE');
  const telemetry = telemetrySettings(env, process.stdout.isTTY === true);
  return {
    port: intFrom(env.PORT, 3000, 'PORT'),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || null,
    dataDir: path.resolve(env.LEDGER_DATA_DIR || './.data'),
    adminToken: env.LEDGER_ADMIN_TOKEN || null,
    masterKey: masterKeyFrom(env),
    projectorEnabled: (env.LEDGER_PROJECTOR ?? 'on') !== 'off',
    readYourWritesTimeoutMs: intFrom(env.LEDGER_READ_WAIT_MS, 5000, 'LEDGER_READ_WAIT_MS'),
    poolSize,
    statementTimeoutMs: intFrom(env.LEDGER_STATEMENT_TIMEOUT_MS, STATEMENT_TIMEOUT_MS_DEFAULT, 'LEDGER_STATEMENT_TIMEOUT_MS'),
    tenantConnectionsMax: tenantConnectionsMaxFrom(env.LEDGER_TENANT_CONNECTIONS_MAX, poolSize),
    tenantConnectionWaitMs: intFrom(env.LEDGER_TENANT_CONNECTION_WAIT_MS, TENANT_CONNECTION_WAIT_MS_DEFAULT, 'LEDGER_TENANT_CONNECTION_WAIT_MS'),
    holdSweepIntervalMs: intFrom(env.LEDGER_HOLD_SWEEP_MS, 1000, 'LEDGER_HOLD_SWEEP_MS'),
    stuckHoldSeconds: intFrom(env.LEDGER_STUCK_HOLD_SECONDS, 24 * 60 * 60, 'LEDGER_STUCK_HOLD_SECONDS'),
    projectionBatch: projectionBatchFrom(env.LEDGER_PROJECTION_BATCH),
    projectorLingerMs: projectorLingerFrom(env.LEDGER_PROJECTOR_LINGER_MS),
    reconcileIntervalMinutes: intFrom(env.LEDGER_RECONCILE_INTERVAL_MINUTES, 60, 'LEDGER_RECONCILE_INTERVAL_MINUTES'),
    clockSkewMaxMs: clockSkewMaxFrom(env.LEDGER_CLOCK_SKEW_MAX_MS),
    logLevel: telemetry.logLevel,
    logFormat: telemetry.logFormat,
    otlpEndpoint: telemetry.otlpEndpoint,
    bodyLimitBytes: positiveIntFrom(env.LEDGER_BODY_LIMIT_BYTES, 1024 * 1024, 'LEDGER_BODY_LIMIT_BYTES'),
    rateLimitPerSecond: intFrom(env.LEDGER_RATE_LIMIT_PER_SECOND, 1000, 'LEDGER_RATE_LIMIT_PER_SECOND'),
    requestTimeoutMs: positiveIntFrom(env.LEDGER_REQUEST_TIMEOUT_MS, 30_000, 'LEDGER_REQUEST_TIMEOUT_MS'),
    eventStoreUrl: eventStoreUrlFromEnv(env),
    eventStoreMaxAppendBytes: eventStoreMaxAppendBytesFrom(env.EVENTSTORE_MAX_APPEND_SIZE),
    docsUiEnabled: env.LEDGER_DOCS_UI !== 'off',
    consoleEnabled: onOffFrom(env.LEDGER_CONSOLE, 'LEDGER_CONSOLE'),
    webhooks: webhookConfig(env),
    lagThresholds: lagThresholds(env),
    writerRecordsMax: writerRecordsMax(env),
    writerSnapshotEvents: writerSnapshotEvents(env),
    writerLock: onOffFrom(env.LEDGER_WRITER_LOCK, 'LEDGER_WRITER_LOCK'),
  };
}

/**
 * LEDGER_MASTER_KEY (or LEDGER_MASTER_KEY_FILE), or for the embedded default a key generated once
 * and kept (0600) in LEDGER_DATA_DIR. With DATABASE_URL it must be given.
 */
export function resolveMasterKey(config: LedgerConfig): string {
  if (config.masterKey) return config.masterKey;
  if (config.databaseUrl) {
    throw new Error('LEDGER_MASTER_KEY or LEDGER_MASTER_KEY_FILE is required with DATABASE_URL (it seals the tenants\' signing keys)');
  }
  const file = path.join(config.dataDir, 'master.key');
  if (existsSync(file)) return readMasterKeyFile(file, 'master key');
  mkdirSync(config.dataDir, { recursive: true });
  // Written whole under a private name, then linked into place: link() fails if the key exists, so
  // two processes starting at once agree on one key (the second reads the first's), and nobody
  // ever reads a half-written one.
  const key = randomBytes(32).toString('base64url');
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(draft, key, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readMasterKeyFile(file, 'master key');
  } finally {
    rmSync(draft, { force: true });
  }
  return key;
}
