import { createRequire } from 'node:module';
import { pino, DestinationStream, Logger } from 'pino';
import type { LogFormat, LogLevel } from './telemetry-settings.js';

export type { Logger } from 'pino';

/** An error's text in a log line is cut here: a driver's message can quote a whole statement. */
const ERROR_MESSAGE_LENGTH_MAX = 2_000;
/** Stack frames beyond these bytes are cut (a deep async stack is long, and the top says where). */
const ERROR_STACK_LENGTH_MAX = 8_000;

/**
 * An error as a log line holds it: its class, code, message and stack, and nothing else. Pino's
 * default serializer copies every enumerable property, and a database error's `detail`,
 * `where` or `parameters` can quote the values of a command (metadata, names): those stay out.
 */
export function errorFields(error: unknown): { type: string; code?: string; message: string; stack?: string } {
  // Not `instanceof Error`: an error made in another realm (a vm context, a worker) is one too.
  const shaped = error as { message?: unknown; stack?: unknown; code?: unknown; constructor?: { name?: string } } | null;
  if (typeof shaped !== 'object' || shaped === null || typeof shaped.message !== 'string') return { type: typeof error, message: String(error).slice(0, ERROR_MESSAGE_LENGTH_MAX) };
  return {
    type: shaped.constructor?.name ?? 'Error',
    ...(typeof shaped.code === 'string' ? { code: shaped.code } : {}),
    message: shaped.message.slice(0, ERROR_MESSAGE_LENGTH_MAX),
    ...(typeof shaped.stack === 'string' ? { stack: shaped.stack.slice(0, ERROR_STACK_LENGTH_MAX) } : {}),
  };
}

/**
 * Header and field names that carry credentials, redacted wherever they appear in a line. No
 * line is meant to hold them (request lines name the key by id); this is the second line of defence.
 */
const REDACTED_PATHS = ['authorization', 'headers.authorization', 'req.headers.authorization', 'key', 'secret', 'master_key', 'token', 'api_key'];

/**
 * The process's logger: pino, one JSON object a line with ISO times (LEDGER_LOG_FORMAT=json),
 * or pino-pretty's coloured lines (pretty). `processName` names the program (api, projector,
 * cli). `destination` is for tests (lines in memory).
 */
export function createLogger(
  settings: { logLevel: LogLevel; logFormat: LogFormat },
  processName: string,
  destination?: DestinationStream,
  /** 2 for a process whose standard output is its result (the CLI): its log goes to standard error. */
  fd: 1 | 2 = 1,
): Logger {
  const options = {
    level: settings.logLevel,
    // `process` names the program (api, projector, cli); a part of it logs through a child with
    // its `component` (projector, sweeper, webhooks, reconciliation).
    base: { pid: process.pid, process: processName },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: errorFields },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (destination) return pino(options, destination);
  if (settings.logFormat === 'pretty') {
    // Loaded only when asked for: a JSON process never loads the pretty printer.
    const require = createRequire(import.meta.url);
    const pretty = require('pino-pretty') as (options: object) => DestinationStream;
    const terminal = fd === 1 ? process.stdout.isTTY : process.stderr.isTTY;
    return pino(options, pretty({ destination: fd, colorize: terminal === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true }));
  }
  return pino(options, pino.destination({ fd, sync: true }));
}

/**
 * The `(line) => void` the workers take, writing each line through `logger` at `level`: `warn`
 * for a worker that only ever reports trouble (the sweeper, the dispatcher, the reconciler).
 */
export function lineLog(logger: Logger, level: 'info' | 'warn' = 'info'): (line: string) => void {
  return level === 'warn' ? (line) => logger.warn(line) : (line) => logger.info(line);
}
