/**
 * EVENTSTORE_URL: an EventStoreDB connection string, checked before anything connects.
 *
 *   esdb://host:2113?tls=false                         one node (port 2113 if omitted)
 *   esdb://admin:changeit@host:2113                    with credentials (TLS on by default)
 *   esdb://node1:2113,node2:2113,node3:2113            a cluster: gossip seeds, any one may answer
 *   esdb+discover://cluster.example.internal:2113      a cluster found through one DNS name
 *
 * KurrentDB's schemes (kurrentdb://, kurrentdb+discover://, kdb://, kdb+discover://) mean the same
 * and are handed to the client (6.x, which knows only esdb) as esdb. Refused, where client 6.2.1
 * would accept them and go wrong quietly: esdb+discover:// with several hosts (the client uses the
 * first alone: debug-logged "Using first", Client/index.js), and throwOnAppendFailure=false (a
 * refused append then looks like a success to the adapter).
 *
 * Credentials never appear in messages or in the start-up log: `display` is hosts only.
 */

export interface EventStoreDbEndpoint {
  host: string;
  port: number;
}

export interface EventStoreDbTarget {
  /** The connection string as given (trimmed), for the client. */
  url: string;
  /** esdb+discover:// (cluster gossip) rather than esdb:// */
  discover: boolean;
  hosts: EventStoreDbEndpoint[];
  tls: boolean;
  hasCredentials: boolean;
  /** host:port[,host:port...], without credentials: for logs and errors. */
  display: string;
}

export const DEFAULT_EVENTSTORE_PORT = 2113;

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;
const IPV6 = /^\[[0-9A-Fa-f:.]+\]$/;
const BOOLEAN = /^(true|false)$/i;
/** Schemes taken, and the one the client is given for each. */
const SCHEMES = new Map<string, 'esdb' | 'esdb+discover'>([
  ['esdb', 'esdb'],
  ['esdb+discover', 'esdb+discover'],
  ['kurrentdb', 'esdb'],
  ['kurrentdb+discover', 'esdb+discover'],
  ['kdb', 'esdb'],
  ['kdb+discover', 'esdb+discover'],
]);

export class InvalidEventStoreUrlError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(
      `EVENTSTORE_URL is not a valid EventStoreDB connection string (${url}): ${reason}. ` +
        `Expected e.g. esdb://localhost:2113?tls=false, esdb://node1:2113,node2:2113,node3:2113 or esdb+discover://cluster.example.internal:2113`,
    );
    this.name = 'InvalidEventStoreUrlError';
  }
}

/** The URL with any user:password replaced, for messages. */
export function redactEventStoreUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^@/?#]*@/, '$1***@');
}

function parseEndpoint(text: string, url: string): EventStoreDbEndpoint {
  let host = text;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw new InvalidEventStoreUrlError(url, `unclosed [ in host ${text}`);
    host = text.slice(0, close + 1);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) throw new InvalidEventStoreUrlError(url, `unexpected ${rest} after host ${host}`);
      portText = rest.slice(1);
    }
    if (!IPV6.test(host)) throw new InvalidEventStoreUrlError(url, `invalid IPv6 address ${host}`);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
    }
    if (host === '') throw new InvalidEventStoreUrlError(url, 'a host is missing');
    if (!HOSTNAME.test(host)) throw new InvalidEventStoreUrlError(url, `invalid host name ${JSON.stringify(host)}`);
  }
  let port = DEFAULT_EVENTSTORE_PORT;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) throw new InvalidEventStoreUrlError(url, `invalid port ${JSON.stringify(portText)} for ${host}`);
    port = Number(portText);
    if (port < 1 || port > 65535) throw new InvalidEventStoreUrlError(url, `port ${port} for ${host} is outside 1-65535`);
  }
  return { host, port };
}

/** Parses and checks an EventStoreDB connection string; throws InvalidEventStoreUrlError. */
export function parseEventStoreUrl(raw: string): EventStoreDbTarget {
  if (typeof raw !== 'string') throw new InvalidEventStoreUrlError(String(raw), 'not a string');
  const url = raw.trim();
  const shown = redactEventStoreUrl(url);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  if (!scheme) throw new InvalidEventStoreUrlError(shown, 'it must start with esdb:// or esdb+discover://');
  const given = scheme[1].toLowerCase();
  const protocol = SCHEMES.get(given);
  if (protocol === undefined) {
    throw new InvalidEventStoreUrlError(shown, `unsupported scheme ${given}:// (use esdb:// or esdb+discover://; kurrentdb:// and kdb:// mean the same)`);
  }
  if (/\s/.test(url)) throw new InvalidEventStoreUrlError(shown, 'it contains whitespace');
  let rest = url.slice(scheme[0].length);

  const hash = rest.indexOf('#');
  if (hash >= 0) throw new InvalidEventStoreUrlError(shown, 'a #fragment is not allowed');
  const question = rest.indexOf('?');
  const query = question >= 0 ? rest.slice(question + 1) : '';
  rest = question >= 0 ? rest.slice(0, question) : rest;
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  if (rest.includes('/')) throw new InvalidEventStoreUrlError(shown, 'a path is not allowed (only esdb://host:port?options)');

  let hasCredentials = false;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const credentials = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = credentials.indexOf(':');
    if (colon <= 0 || colon === credentials.length - 1) {
      throw new InvalidEventStoreUrlError(shown, 'credentials must be user:password@');
    }
    hasCredentials = true;
  }
  if (rest === '') throw new InvalidEventStoreUrlError(shown, 'a host is missing');
  const hosts = rest.split(',').map((part) => parseEndpoint(part, shown));
  if (protocol === 'esdb+discover' && hosts.length > 1) {
    throw new InvalidEventStoreUrlError(
      shown,
      `${given}:// takes one DNS name to discover the cluster through (the client would use only ${hosts[0].host}:${hosts[0].port}); list gossip seeds as esdb://${hosts.map((h) => `${h.host}:${h.port}`).join(',')}`,
    );
  }

  let tls = true;
  if (query !== '') {
    for (const pair of query.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new InvalidEventStoreUrlError(shown, `option ${JSON.stringify(pair)} must be key=value`);
      const key = pair.slice(0, eq).toLowerCase();
      const value = pair.slice(eq + 1);
      if (key === 'tls') {
        if (!BOOLEAN.test(value)) throw new InvalidEventStoreUrlError(shown, `tls must be true or false, got ${JSON.stringify(value)}`);
        tls = value.toLowerCase() === 'true';
      }
      if (key === 'throwonappendfailure' && value.toLowerCase() !== 'true') {
        throw new InvalidEventStoreUrlError(shown, 'throwOnAppendFailure must stay true: the adapter relies on a refused append failing');
      }
    }
  }
  return {
    // The client (6.x) knows only esdb and esdb+discover.
    url: `${protocol}://${url.slice(scheme[0].length)}`,
    discover: protocol === 'esdb+discover',
    hosts,
    tls,
    hasCredentials,
    display: hosts.map((h) => `${h.host}:${h.port}`).join(','),
  };
}
