import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, randomBytes, scryptSync, sign, verify } from 'node:crypto';

/** What a tenant signs: the head of its chain at a revision. */
export interface ChainHead {
  tenant_id: string;
  stream_revision: string;
  position: string;
  hash: string;
}

export function headMessage(head: ChainHead): Buffer {
  return Buffer.from(`zentra-chain-head:v1:${head.tenant_id}:${head.stream_revision}:${head.position}:${head.hash}`);
}

export function generateTenantKeys(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export function signHead(head: ChainHead, privateKey: string | KeyObject): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return sign(null, headMessage(head), key).toString('base64');
}

export function verifyHead(head: ChainHead, signature: string, publicKeyPem: string): boolean {
  try {
    return verify(null, headMessage(head), createPublicKey(publicKeyPem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * Envelope versions. v1 (the first release) keyed AES-256-GCM with SHA-256 of the secret, no KDF;
 * values sealed that way stay readable. v2 keys it with scrypt of the secret, so a guessable
 * LEDGER_MASTER_KEY (a passphrase) costs an attacker holding a database backup ~2^15 times more
 * work per guess. Every new seal is v2.
 */
const ENVELOPE_V1 = 'v1';
const ENVELOPE_V2 = 'v2';
/** The secret's shortest accepted length, in characters. */
export const MASTER_KEY_LENGTH_MIN = 16;
/**
 * scrypt cost: N = 2^15, r = 8, p = 1 needs 32 MiB and ~85 ms on one core, paid once per process
 * (the key is derived in the constructor), never per seal or open. The salt is fixed (domain
 * separation only): a salt per value would cost one derivation per open, and webhook deliveries
 * open a secret each.
 */
const SCRYPT_COST = 2 ** 15;
const SCRYPT_BLOCK_SIZE = 8;
const SCRYPT_PARALLELISM = 1;
const SCRYPT_MEMORY_MAX_BYTES = 64 * 1024 * 1024;
const SCRYPT_SALT = 'zentra-ledger:master-key:aes-256-gcm:v2';
const AES_KEY_BYTES = 32;
const GCM_IV_BYTES = 12;

/** The v2 sealing key: scrypt of the secret. */
export function deriveSealingKey(secret: string): Buffer {
  return scryptSync(secret, SCRYPT_SALT, AES_KEY_BYTES, { N: SCRYPT_COST, r: SCRYPT_BLOCK_SIZE, p: SCRYPT_PARALLELISM, maxmem: SCRYPT_MEMORY_MAX_BYTES });
}

/** The v1 key, kept only to open values sealed before v2: SHA-256 of the secret. */
export function legacySealingKey(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** AES-256-GCM under the master key (LEDGER_MASTER_KEY): private keys never rest in clear. */
export class MasterKey {
  private readonly keys: Record<typeof ENVELOPE_V1 | typeof ENVELOPE_V2, Buffer>;

  constructor(secret: string) {
    if (!secret || secret.length < MASTER_KEY_LENGTH_MIN) throw new Error(`LEDGER_MASTER_KEY must be at least ${MASTER_KEY_LENGTH_MIN} characters`);
    this.keys = { [ENVELOPE_V1]: legacySealingKey(secret), [ENVELOPE_V2]: deriveSealingKey(secret) };
  }

  /** `v2.<iv>.<tag>.<ciphertext>`, each part base64. */
  encrypt(plain: string): string {
    return sealWith(ENVELOPE_V2, this.keys[ENVELOPE_V2], plain);
  }

  /** Opens a v2 value, or a v1 value sealed before the KDF. */
  decrypt(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== ENVELOPE_V1 && version !== ENVELOPE_V2) throw new Error('unknown key envelope');
    const decipher = createDecipheriv('aes-256-gcm', this.keys[version], Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }
}

/** Seals under `key` with the given envelope version; exported for tests that write a v1 value. */
export function sealWith(version: string, key: Buffer, plain: string): string {
  const iv = randomBytes(GCM_IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [version, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
}
