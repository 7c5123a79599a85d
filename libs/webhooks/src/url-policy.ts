import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export const WEBHOOK_URL_LENGTH_MAX = 2048;
/** A name resolving to more addresses than this is refused rather than checked in part. */
const RESOLVED_ADDRESSES_MAX = 64;

/** Resolves a host name to every address a connection might use. */
export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export type UrlCheck =
  /**
   * `addresses`: the checked addresses a connection must use (so a name cannot resolve to a
   * private address between the check and the connection); null when no name was resolved (an
   * IP literal, or private targets allowed).
   */
  | { ok: true; url: URL; addresses: string[] | null }
  | { ok: false; reason: 'invalid'; message: string }
  | { ok: false; reason: 'unresolvable'; message: string }
  | { ok: false; reason: 'private'; message: string; address: string };

/**
 * Targets a webhook may not reach unless private targets are allowed: the service's own host,
 * its network and the cloud metadata endpoint (169.254.169.254) among them. IPv4-mapped IPv6
 * addresses (::ffff:10.0.0.1) are checked against the IPv4 rules.
 */
const PRIVATE = (() => {
  const list = new BlockList();
  const v4: [string, number][] = [
    ['0.0.0.0', 8], // "this network", 0.0.0.0 itself
    ['10.0.0.0', 8],
    ['100.64.0.0', 10], // carrier-grade NAT
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['224.0.0.0', 4], // multicast
    ['240.0.0.0', 4], // reserved, broadcast
  ];
  const v6: [string, number][] = [
    ['::', 128], // unspecified
    ['::1', 128],
    ['fc00::', 7], // unique local
    ['fe80::', 10], // link local
    ['ff00::', 8], // multicast
  ];
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, 'ipv6');
  return list;
})();

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) throw new Error(`not an IP address: ${address}`);
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function invalid(message: string): UrlCheck {
  return { ok: false, reason: 'invalid', message };
}

function refused(host: string, address: string): UrlCheck {
  const what = host === address ? address : `${host} (${address})`;
  return {
    ok: false,
    reason: 'private',
    address,
    message: `url points at a loopback, private or link-local address: ${what}; set LEDGER_WEBHOOK_ALLOW_PRIVATE=true to allow such targets`,
  };
}

/**
 * Whether a webhook may be sent to `raw`: an absolute http(s) URL without credentials; and,
 * unless `allowPrivate`, neither `localhost` nor an address in a private range, for the literal
 * host or for every address its name resolves to. (Checked when the endpoint is created and
 * again before each attempt, since a name may resolve elsewhere later.)
 */
export async function checkUrl(raw: unknown, allowPrivate: boolean, resolve: Resolver = systemResolver): Promise<UrlCheck> {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > WEBHOOK_URL_LENGTH_MAX) {
    return invalid(`url must be an absolute http(s) URL of at most ${WEBHOOK_URL_LENGTH_MAX} characters`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return invalid('url must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return invalid('url must use http or https');
  if (url.username || url.password) return invalid('url must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (!host) return invalid('url must name a host');
  if (allowPrivate) return { ok: true, url, addresses: null };

  if (host === 'localhost' || host.endsWith('.localhost')) return refused(host, host);
  if (isIP(host) !== 0) return isPrivateAddress(host) ? refused(host, host) : { ok: true, url, addresses: null };
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    return { ok: false, reason: 'unresolvable', message: `url host ${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'lookup failed'})` };
  }
  if (addresses.length === 0) return { ok: false, reason: 'unresolvable', message: `url host ${host} does not resolve` };
  if (addresses.length > RESOLVED_ADDRESSES_MAX) return invalid(`url host ${host} resolves to more than ${RESOLVED_ADDRESSES_MAX} addresses`);
  for (const address of addresses) {
    if (isIP(address) === 0 || isPrivateAddress(address)) return refused(host, address);
  }
  return { ok: true, url, addresses };
}
