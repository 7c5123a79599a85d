import http from 'node:http';
import { AddressInfo } from 'node:net';
import { pinnedLookup, postPinned } from './pinned-post.js';

/** A real receiver on 127.0.0.1, reached by a name no DNS knows: only the pinned address can get there. */
describe('postPinned', () => {
  let server: http.Server;
  let port: number;
  const received: { host?: string; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ host: req.headers.host, body });
        res.writeHead(req.url === '/moved' ? 302 : 204, req.url === '/moved' ? { location: 'http://127.0.0.1/' } : {}).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('connects to the checked address, not to what the name resolves to now', async () => {
    const url = new URL(`http://receiver.invalid:${port}/hook`);
    const status = await postPinned(url, ['127.0.0.1'], { 'content-type': 'application/json' }, '{"a":1}', new AbortController().signal);
    expect(status).toBe(204);
    expect(received.at(-1)).toEqual({ host: `receiver.invalid:${port}`, body: '{"a":1}' });
    // The same name without pinning goes to DNS, which does not know it.
    await expect(postPinned(url, null, {}, '{}', new AbortController().signal)).rejects.toMatchObject({ code: expect.stringMatching(/ENOTFOUND|EAI_AGAIN/) });
  });

  it('does not follow redirects, and gives up when aborted', async () => {
    expect(await postPinned(new URL(`http://127.0.0.1:${port}/moved`), null, {}, '{}', new AbortController().signal)).toBe(302);
    const aborted = new AbortController();
    aborted.abort();
    await expect(postPinned(new URL(`http://127.0.0.1:${port}/`), null, {}, '{}', aborted.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('answers lookups of either shape with the pinned addresses only', async () => {
    const lookup = pinnedLookup(['203.0.113.7', '2001:db8::1']);
    const one = await new Promise<[string, number]>((resolve, reject) => lookup('anything', {}, (e, a, f) => (e ? reject(e) : resolve([a as string, f as number]))));
    expect(one).toEqual(['203.0.113.7', 4]);
    const v6 = await new Promise<[string, number]>((resolve, reject) => lookup('anything', { family: 6 }, (e, a, f) => (e ? reject(e) : resolve([a as string, f as number]))));
    expect(v6).toEqual(['2001:db8::1', 6]);
    const all = await new Promise<unknown>((resolve, reject) => lookup('anything', { all: true }, (e, a) => (e ? reject(e) : resolve(a))));
    expect(all).toEqual([
      { address: '203.0.113.7', family: 4 },
      { address: '2001:db8::1', family: 6 },
    ]);
  });
});
