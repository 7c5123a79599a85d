import { LoggerService } from '@nestjs/common';
import { Logger } from '#telemetry/index.js';

/**
 * Nest's own messages through the process's logger: JSON lines like every other, no colour
 * codes. Nest's start-up chatter (`log`: each mapped route) is debug; its errors stay errors.
 */
export class NestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }

  error(message: unknown, stack?: string, context?: string): void {
    this.logger.error({ context, stack }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }

  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
