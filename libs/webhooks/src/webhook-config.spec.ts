import { webhookConfig } from './webhook-config.js';

describe('webhookConfig', () => {
  it('defaults: 10 s timeout, 1 s backoff base, 10 attempts, private targets refused, one day of grace', () => {
    expect(webhookConfig({})).toMatchObject({ timeoutMs: 10_000, backoffMs: 1000, maxAttempts: 10, allowPrivate: false, secretGraceSeconds: 86_400, concurrency: 16 });
  });

  it('reads the environment', () => {
    const config = webhookConfig({
      LEDGER_WEBHOOK_TIMEOUT_MS: '300',
      LEDGER_WEBHOOK_BACKOFF_MS: '50',
      LEDGER_WEBHOOK_MAX_ATTEMPTS: '4',
      LEDGER_WEBHOOK_ALLOW_PRIVATE: 'true',
      LEDGER_WEBHOOK_SECRET_GRACE_SECONDS: '0',
    });
    expect(config).toMatchObject({ timeoutMs: 300, backoffMs: 50, maxAttempts: 4, allowPrivate: true, secretGraceSeconds: 0 });
    expect(webhookConfig({ LEDGER_WEBHOOK_ALLOW_PRIVATE: 'false' }).allowPrivate).toBe(false);
    expect(webhookConfig({ LEDGER_WEBHOOK_ALLOW_PRIVATE: 'yes please' }).allowPrivate).toBe(false);
  });

  it.each([
    ['LEDGER_WEBHOOK_TIMEOUT_MS', '0'],
    ['LEDGER_WEBHOOK_TIMEOUT_MS', 'soon'],
    ['LEDGER_WEBHOOK_MAX_ATTEMPTS', '0'],
    ['LEDGER_WEBHOOK_MAX_ATTEMPTS', '1000'],
    ['LEDGER_WEBHOOK_BACKOFF_MS', '-5'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => webhookConfig({ [name]: value })).toThrow(name);
  });
});
