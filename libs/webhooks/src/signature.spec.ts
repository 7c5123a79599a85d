import { createHmac } from 'node:crypto';
import { signature, verifySignature } from './signature.js';

const SECRET = 'whsec_test_secret';
const BODY = '{"id":"evt","type":"ledger.entry.posted"}';
const T = 1_700_000_000;

describe('signature', () => {
  it('is t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signature(SECRET, T, BODY)).toBe(`t=${T},v1=${expected}`);
  });

  it('signs bytes and strings alike', () => {
    expect(signature(SECRET, T, Buffer.from(BODY))).toBe(signature(SECRET, T, BODY));
  });

  it('carries one v1 per secret, newest first, during a rotation', () => {
    const header = signature([SECRET, 'whsec_old'], T, BODY);
    const [t, newer, older] = header.split(',');
    expect(t).toBe(`t=${T}`);
    expect(newer).toBe(signature(SECRET, T, BODY).split(',')[1]);
    expect(older).toBe(signature('whsec_old', T, BODY).split(',')[1]);
  });

  it('refuses a timestamp that is not unix seconds and an empty secret list', () => {
    expect(() => signature(SECRET, 1.5, BODY)).toThrow();
    expect(() => signature(SECRET, -1, BODY)).toThrow();
    expect(() => signature([], T, BODY)).toThrow();
  });
});

describe('verifySignature', () => {
  const now = { nowSeconds: T + 10 };

  it('accepts its own signature within the tolerance', () => {
    expect(verifySignature(signature(SECRET, T, BODY), SECRET, BODY, now)).toEqual({ valid: true, timestamp: T });
  });

  it('accepts when any v1 matches (old secret during a rotation, or the new one)', () => {
    const header = signature(['whsec_new', SECRET], T, BODY);
    expect(verifySignature(header, SECRET, BODY, now).valid).toBe(true);
    expect(verifySignature(header, 'whsec_new', BODY, now).valid).toBe(true);
    expect(verifySignature(header, 'whsec_other', BODY, now)).toEqual({ valid: false, reason: 'no_match' });
  });

  it('refuses a changed body, a changed timestamp or another secret', () => {
    const header = signature(SECRET, T, BODY);
    expect(verifySignature(header, SECRET, `${BODY} `, now).valid).toBe(false);
    expect(verifySignature(header.replace(`t=${T}`, `t=${T + 1}`), SECRET, BODY, now).valid).toBe(false);
    expect(verifySignature(header, `${SECRET}x`, BODY, now).valid).toBe(false);
  });

  it('refuses a timestamp outside the tolerance window, either side', () => {
    const header = signature(SECRET, T, BODY);
    expect(verifySignature(header, SECRET, BODY, { nowSeconds: T + 301 })).toEqual({ valid: false, reason: 'outside_tolerance' });
    expect(verifySignature(header, SECRET, BODY, { nowSeconds: T - 301 })).toEqual({ valid: false, reason: 'outside_tolerance' });
    expect(verifySignature(header, SECRET, BODY, { nowSeconds: T + 3600, toleranceSeconds: 3600 }).valid).toBe(true);
  });

  it.each([undefined, null, '', 'v1=abc', `t=${T}`, `t=x,v1=${'a'.repeat(64)}`, `t=${T},v1=short`, 'x'.repeat(2000)])('refuses a malformed header %j', (header) => {
    expect(verifySignature(header as string, SECRET, BODY, now)).toEqual({ valid: false, reason: 'malformed' });
  });
});
