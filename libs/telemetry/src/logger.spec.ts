import { createLogger, errorFields } from './logger.js';

function capture() {
  const lines: Record<string, any>[] = [];
  return { lines, stream: { write: (chunk: string) => void lines.push(JSON.parse(chunk)) } };
}

describe('createLogger', () => {
  it('writes one JSON object a line with level, ISO time, process and message, and nothing below its level', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ logLevel: 'warn', logFormat: 'json' }, 'projector', stream);
    logger.info('not written');
    logger.child({ component: 'webhooks' }).warn({ delivery_id: 'd1' }, 'slow receiver');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, process: 'projector', component: 'webhooks', delivery_id: 'd1', msg: 'slow receiver' });
    expect(new Date(lines[0].time).toISOString()).toBe(lines[0].time);
  });

  it('redacts credential fields, and an error keeps only its class, code, message and stack', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ logLevel: 'debug', logFormat: 'json' }, 'api', stream);
    const error = Object.assign(new Error('duplicate key'), { code: '23505', detail: 'Key (name)=(secret customer) already exists', parameters: ['x'] });
    logger.error({ err: error, authorization: 'Bearer zl_abc', secret: 'whsec_abc' }, 'failed');
    expect(lines[0].authorization).toBe('[redacted]');
    expect(lines[0].secret).toBe('[redacted]');
    expect(Object.keys(lines[0].err).sort()).toEqual(['code', 'message', 'stack', 'type']);
    expect(lines[0].err).toMatchObject({ type: 'Error', code: '23505', message: 'duplicate key' });
    expect(JSON.stringify(lines[0])).not.toContain('secret customer');
  });

  it('describes a thrown non-error by its text', () => {
    expect(errorFields('boom')).toEqual({ type: 'string', message: 'boom' });
    expect(errorFields(undefined)).toEqual({ type: 'undefined', message: 'undefined' });
  });
});
