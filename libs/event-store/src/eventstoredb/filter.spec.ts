import { LEDGER_STREAM_PREFIXES } from '../streams.js';
import { acceptsEvent, buildSubscriptionFilter, isSystemEvent, matchesNothing, validatePrefixes } from './filter.js';

describe('EventStoreDB $all filters', () => {
  it('excludes system events on the server when no prefixes are given', () => {
    const filter = buildSubscriptionFilter(undefined);
    expect(filter.filterOn).toBe('eventType');
    expect('regex' in filter && filter.regex).toBe('^[^$].*');
    expect(filter.checkpointInterval).toBeGreaterThan(0);
  });

  it('filters on stream-name prefixes on the server when given', () => {
    const filter = buildSubscriptionFilter(LEDGER_STREAM_PREFIXES);
    expect(filter.filterOn).toBe('streamName');
    expect('prefixes' in filter && filter.prefixes).toEqual(['ledger-', 'audit-', 'recon-']);
    expect(filter.checkpointInterval).toBeGreaterThan(0);
    expect(LEDGER_STREAM_PREFIXES).toEqual(['ledger-', 'audit-', 'recon-']);
    expect(Object.isFrozen(LEDGER_STREAM_PREFIXES)).toBe(true);
  });

  it('refuses an empty prefix list (it matches nothing), empty prefixes and system prefixes', () => {
    expect(matchesNothing([])).toBe(true);
    expect(matchesNothing(undefined)).toBe(false);
    expect(matchesNothing(['a'])).toBe(false);
    expect(() => buildSubscriptionFilter([])).toThrow(RangeError);
    expect(() => validatePrefixes(['ledger-', ''])).toThrow(/non-empty/);
    expect(() => validatePrefixes(['$ce-'])).toThrow(/system streams/);
  });

  it('recognises system events by stream or type', () => {
    expect(isSystemEvent('$stats-127.0.0.1:2113', '$statsCollected')).toBe(true);
    expect(isSystemEvent('$$ledger-t1', '$metadata')).toBe(true);
    expect(isSystemEvent('ledger-t1', '$>')).toBe(true);
    expect(isSystemEvent('ledger-t1', 'transfer.posted')).toBe(false);
  });

  it('selects events client-side as the server would, with literal prefixes', () => {
    expect(acceptsEvent('ledger-t1', 'transfer.posted')).toBe(true);
    expect(acceptsEvent('anything', 'x')).toBe(true);
    expect(acceptsEvent('$settings', 'x')).toBe(false);
    expect(acceptsEvent('ledger-t1', 'transfer.posted', LEDGER_STREAM_PREFIXES)).toBe(true);
    expect(acceptsEvent('audit-t1', 'access.denied', LEDGER_STREAM_PREFIXES)).toBe(true);
    expect(acceptsEvent('recon-t1', 'statement.imported', LEDGER_STREAM_PREFIXES)).toBe(true);
    expect(acceptsEvent('tenants-t1', 'x', LEDGER_STREAM_PREFIXES)).toBe(false);
    expect(acceptsEvent('ledger-t1', '$metadata', LEDGER_STREAM_PREFIXES)).toBe(false);
    // No wildcards: `_` and `%` match only themselves.
    expect(acceptsEvent('s-u_x', 't', ['s-u_'])).toBe(true);
    expect(acceptsEvent('s-uzx', 't', ['s-u_'])).toBe(false);
    expect(acceptsEvent('s-p%x', 't', ['s-p%'])).toBe(true);
    expect(acceptsEvent('s-pzzx', 't', ['s-p%'])).toBe(false);
    expect(acceptsEvent('s', 't', [])).toBe(false);
  });
});
