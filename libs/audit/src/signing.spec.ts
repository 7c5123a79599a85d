import { deriveSealingKey, legacySealingKey, MasterKey, sealWith } from './signing.js';

const SECRET = 'released-master-key-0123';
const PLAIN = '-----BEGIN PRIVATE KEY-----\nreleased v1 value\n-----END PRIVATE KEY-----\n';
/** Sealed by the released MasterKey (SHA-256 key, no KDF) with SECRET: written before v2 existed. */
const RELEASED_V1 =
  'v1.NO9Roi2rmwrgAGtU.mdCODXTZp0hBIOX03uskYg==.CLFTrF26E6R9D+zulE4R+eGewqecx2tMHz3YsX41/lZ6sjLXVjqAv0geCub6k4MPlHybSIAAnGL+2K8RB6yeidfaLZJ8aAp5';

describe('MasterKey', () => {
  const master = new MasterKey(SECRET);

  it('opens a value sealed by the released code (v1, no KDF) after the upgrade', () => {
    expect(master.decrypt(RELEASED_V1)).toBe(PLAIN);
  });

  it('seals new values as v2 under the scrypt-derived key, and opens them again', () => {
    const sealed = master.encrypt(PLAIN);
    expect(sealed.split('.')[0]).toBe('v2');
    expect(master.decrypt(sealed)).toBe(PLAIN);
    // The v2 key is the KDF's, not the released SHA-256 one.
    expect(deriveSealingKey(SECRET).equals(legacySealingKey(SECRET))).toBe(false);
    const relabelled = ['v1', ...sealed.split('.').slice(1)].join('.');
    expect(() => master.decrypt(relabelled)).toThrow();
  });

  it('opens a v1 value sealed under the SHA-256 key and a v2 one under the scrypt key, and not the other way', () => {
    expect(master.decrypt(sealWith('v1', legacySealingKey(SECRET), 'one'))).toBe('one');
    expect(master.decrypt(sealWith('v2', deriveSealingKey(SECRET), 'two'))).toBe('two');
    expect(() => master.decrypt(sealWith('v2', legacySealingKey(SECRET), 'two'))).toThrow();
  });

  it('refuses another secret, a tampered value and an unknown envelope version', () => {
    const sealed = master.encrypt(PLAIN);
    expect(() => new MasterKey('another-master-key-0123').decrypt(sealed)).toThrow();
    expect(() => new MasterKey('another-master-key-0123').decrypt(RELEASED_V1)).toThrow();
    const [version, iv, tag, body] = sealed.split('.');
    const flipped = Buffer.from(body, 'base64');
    flipped[0] ^= 1;
    expect(() => master.decrypt([version, iv, tag, flipped.toString('base64')].join('.'))).toThrow();
    expect(() => master.decrypt(['v3', iv, tag, body].join('.'))).toThrow(/unknown key envelope/);
  });

  it('refuses a secret shorter than 16 characters', () => {
    expect(() => new MasterKey('short')).toThrow(/at least 16 characters/);
  });
});
