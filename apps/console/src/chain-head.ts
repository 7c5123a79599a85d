/**
 * Checks the tenant's signed chain head in the browser, with the tenant's public key and Web
 * Crypto's Ed25519: the console does not take the service's word that its history is signed.
 * The message is the one libs/audit/src/signing.ts signs (headMessage): keep the two in step.
 */
export interface SignedHead {
  tenant_id: string;
  stream_revision: string;
  position: string;
  hash: string;
  signature: string;
}

export type HeadCheck = 'verified' | 'failed' | 'unsupported';

function bytesOfBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export async function verifyChainHead(head: SignedHead, publicKeyPem: string): Promise<HeadCheck> {
  const body = publicKeyPem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('spki', bytesOfBase64(body), { name: 'Ed25519' }, false, ['verify']);
  } catch (error) {
    // A browser without Ed25519 in Web Crypto says NotSupportedError; a bad key is a failure.
    return (error as DOMException)?.name === 'NotSupportedError' ? 'unsupported' : 'failed';
  }
  const message = new TextEncoder().encode(`zentra-chain-head:v1:${head.tenant_id}:${head.stream_revision}:${head.position}:${head.hash}`);
  try {
    return (await crypto.subtle.verify({ name: 'Ed25519' }, key, bytesOfBase64(head.signature), message)) ? 'verified' : 'failed';
  } catch {
    return 'failed';
  }
}
