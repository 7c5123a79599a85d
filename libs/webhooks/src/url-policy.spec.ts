import { checkUrl, isPrivateAddress, Resolver } from './url-policy.js';

const resolvesTo =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses;
const publicDns = resolvesTo('93.184.216.34');
const failing: Resolver = async () => {
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1', '127.255.0.1', '10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
    '0.0.0.0', '::1', '::', 'fe80::1', 'febf::1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:10.1.2.3', '::ffff:a9fe:a9fe',
  ])('%s is private', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '93.184.216.34', '172.15.255.255', '172.32.0.1', '192.169.0.1', '169.253.0.1', '2606:4700::1111', '::ffff:8.8.8.8', 'fec0::1'])(
    '%s is public',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );
});

describe('checkUrl', () => {
  it('accepts a public http(s) URL whose name resolves only to public addresses', async () => {
    const checked = await checkUrl('https://hooks.example.com/zentra?x=1', false, publicDns);
    expect(checked.ok).toBe(true);
    expect(checked.ok && checked.url.hostname).toBe('hooks.example.com');
    // The addresses checked are the ones the connection must use.
    expect(checked.ok && checked.addresses).toEqual(await publicDns('hooks.example.com'));
    expect(await checkUrl('http://93.184.216.34:8080/', false, failing)).toMatchObject({ ok: true, addresses: null });
  });

  it.each([undefined, 42, '', 'not a url', '/relative', 'ftp://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'https://user:pw@example.com/', `https://example.com/${'a'.repeat(2100)}`])(
    'refuses %j as invalid',
    async (url) => {
      expect(await checkUrl(url, true, publicDns)).toMatchObject({ ok: false, reason: 'invalid' });
    },
  );

  it.each([
    'http://localhost/', 'http://LOCALHOST.:3000/', 'http://api.localhost/', 'http://127.0.0.1/', 'http://2130706433/', 'http://0x7f.1/',
    'http://10.1.2.3/', 'http://172.20.0.1/', 'http://192.168.0.10/', 'http://169.254.169.254/latest/meta-data', 'http://0.0.0.0/',
    'http://[::1]/', 'http://[fe80::1]/', 'http://[fd00::1]/', 'http://[::ffff:127.0.0.1]/',
  ])('refuses the private target %s', async (url) => {
    expect(await checkUrl(url, false, publicDns)).toMatchObject({ ok: false, reason: 'private', message: expect.stringContaining('LEDGER_WEBHOOK_ALLOW_PRIVATE') });
  });

  it('refuses a name when any of its addresses is private', async () => {
    expect(await checkUrl('https://sneaky.example.com/', false, resolvesTo('93.184.216.34', '10.0.0.7'))).toMatchObject({ ok: false, reason: 'private', address: '10.0.0.7' });
    expect(await checkUrl('https://v6.example.com/', false, resolvesTo('::1'))).toMatchObject({ ok: false, reason: 'private' });
  });

  it('refuses a name that does not resolve', async () => {
    expect(await checkUrl('https://nowhere.example/', false, failing)).toMatchObject({ ok: false, reason: 'unresolvable', message: expect.stringContaining('ENOTFOUND') });
    expect(await checkUrl('https://empty.example/', false, resolvesTo())).toMatchObject({ ok: false, reason: 'unresolvable' });
  });

  it('with private targets allowed, checks only the form and resolves nothing', async () => {
    let asked = 0;
    const counting: Resolver = async () => {
      asked++;
      return ['127.0.0.1'];
    };
    expect((await checkUrl('http://127.0.0.1:9999/hook', true, counting)).ok).toBe(true);
    expect((await checkUrl('http://localhost/hook', true, counting)).ok).toBe(true);
    expect((await checkUrl('http://internal.corp/hook', true, counting)).ok).toBe(true);
    expect(asked).toBe(0);
    expect((await checkUrl('gopher://127.0.0.1/', true, counting)).ok).toBe(false);
  });
});
