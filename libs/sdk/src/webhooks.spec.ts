import { createHmac } from 'node:crypto';
import { ZentraError } from './http.js';
import { verifyWebhook } from './webhooks.js';

const SECRET = 'whsec_test';
const BODY = JSON.stringify({ id: 'evt', type: 'ledger.entry.posted', data: { amount: '5' } });
const NOW = 1_800_000_000;
const sign = (t: number, body = BODY, secret = SECRET) => `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof ZentraError ? error.code : 'not a ZentraError';
  }
  return 'accepted';
};

describe('webhooks.verify', () => {
  it('answers the event for a signature made with the secret over the raw body, within the tolerance', () => {
    expect(verifyWebhook(BODY, sign(NOW - 299), SECRET, { nowSeconds: NOW })).toEqual(JSON.parse(BODY));
    expect(verifyWebhook(Buffer.from(BODY), sign(NOW + 299), SECRET, { nowSeconds: NOW })).toEqual(JSON.parse(BODY));
  });

  it('accepts any of several v1 signatures (a rotating secret signs with both)', () => {
    const both = `${sign(NOW, BODY, 'whsec_old')},v1=${sign(NOW).split('v1=')[1]}`;
    expect(verifyWebhook(BODY, both, SECRET, { nowSeconds: NOW })).toEqual(JSON.parse(BODY));
  });

  it('refuses a changed body, another secret, a stale or future time, and malformed headers', () => {
    const at = { nowSeconds: NOW };
    expect(refusal(() => verifyWebhook(BODY.replace('5', '6'), sign(NOW), SECRET, at))).toBe('invalid_signature');
    expect(refusal(() => verifyWebhook(BODY, sign(NOW, BODY, 'whsec_other'), SECRET, at))).toBe('invalid_signature');
    expect(refusal(() => verifyWebhook(BODY, sign(NOW - 301), SECRET, at))).toBe('invalid_signature');
    expect(refusal(() => verifyWebhook(BODY, sign(NOW + 301), SECRET, at))).toBe('invalid_signature');
    expect(refusal(() => verifyWebhook(BODY, sign(NOW - 30), SECRET, { nowSeconds: NOW, toleranceSeconds: 10 }))).toBe('invalid_signature');
    for (const header of [undefined, '', 'v1=abc', `t=${NOW}`, `t=x,v1=${'0'.repeat(64)}`, `t=${NOW},v1=${'0'.repeat(63)}`]) {
      expect({ header, outcome: refusal(() => verifyWebhook(BODY, header, SECRET, at)) }).toEqual({ header, outcome: 'invalid_signature' });
    }
  });
});
