import { domainError, isDomainError } from './errors.js';

describe('domainError', () => {
  it('builds an error value with empty details by default', () => {
    expect(domainError('not_found', 'account x not found')).toEqual({
      kind: 'domain_error',
      code: 'not_found',
      message: 'account x not found',
      details: {},
    });
  });

  it('keeps the details it is given', () => {
    expect(domainError('insufficient_funds', 'short', { account_id: 'a', available: '1' }).details).toEqual({ account_id: 'a', available: '1' });
  });
});

describe('isDomainError', () => {
  it('recognises a domain error', () => {
    expect(isDomainError(domainError('account_not_active', 'frozen'))).toBe(true);
  });

  it.each([
    ['an empty event list', []],
    ['a list of events', [{ type: 'account.created', data: {} }]],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'domain_error'],
    ['an Error', new Error('domain_error')],
    ['an object of another kind', { kind: 'other', code: 'not_found' }],
  ])('rejects %s', (_name, value) => {
    expect(isDomainError(value)).toBe(false);
  });
});
