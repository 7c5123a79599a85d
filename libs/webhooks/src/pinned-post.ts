import http from 'node:http';
import https from 'node:https';
import { isIP, LookupFunction } from 'node:net';

/**
 * A lookup that answers with addresses already checked, never asking DNS again: the connection
 * goes where the URL policy looked (no DNS-rebinding window between check and connect). TLS still
 * verifies the certificate against the URL's host name.
 */
export function pinnedLookup(addresses: readonly string[]): LookupFunction {
  const entries = addresses.map((address) => ({ address, family: isIP(address) }));
  return (_hostname, options, callback) => {
    if (entries.length === 0) {
      callback(Object.assign(new Error('no checked address to connect to'), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    const wanted = typeof options === 'object' && options.family ? entries.filter((e) => e.family === options.family) : entries;
    const usable = wanted.length ? wanted : entries;
    if (typeof options === 'object' && options.all) (callback as unknown as (e: null, all: typeof entries) => void)(null, usable);
    else callback(null, usable[0].address, usable[0].family);
  };
}

/**
 * POSTs `body` and resolves with the status code (the response body is discarded). Redirects are
 * not followed. `addresses`: connect only to these (null: the URL's host as given).
 */
export function postPinned(url: URL, addresses: readonly string[] | null, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body).toString() },
        signal,
        agent: false,
        ...(addresses ? { lookup: pinnedLookup(addresses) } : {}),
      },
      (response) => {
        // The status is all we need: drop the connection rather than wait for (or drain) a body a
        // receiver might stream forever.
        resolve(response.statusCode ?? 0);
        response.destroy();
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
