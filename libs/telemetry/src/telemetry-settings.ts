// Imports nothing: libs/database's loadConfig reads these settings without an import cycle.

/** LEDGER_LOG: the least severe level written; `silent` writes nothing but the start banner. */
export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** LEDGER_LOG_FORMAT: one JSON object a line, or coloured lines for a person at a terminal. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface TelemetrySettings {
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: where traces are sent (OTLP over HTTP); null = no tracing SDK is started at all. */
  otlpEndpoint: string | null;
}

function oneOf<T extends string>(allowed: readonly T[], value: string | undefined, fallback: T, name: string): T {
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
}

function otlpEndpointFrom(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, got "${value}"`);
  return value.replace(/\/+$/, '');
}

/**
 * The logging and tracing settings. Pretty output is the default only when the process writes
 * to a terminal: a file or a log shipper gets JSON lines, never colour codes.
 */
export function telemetrySettings(env: NodeJS.ProcessEnv, writesToTerminal: boolean): TelemetrySettings {
  return {
    logLevel: oneOf(LOG_LEVELS, env.LEDGER_LOG, 'info', 'LEDGER_LOG'),
    logFormat: oneOf(LOG_FORMATS, env.LEDGER_LOG_FORMAT, writesToTerminal ? 'pretty' : 'json', 'LEDGER_LOG_FORMAT'),
    otlpEndpoint: otlpEndpointFrom(env.OTEL_EXPORTER_OTLP_ENDPOINT),
  };
}
