import { createHash } from 'node:crypto';
import { appendEventsArraysWrapperSql, appendEventsJsonSql } from './append-events-json.migration.js';
import { APPEND_EVENTS_ARRAYS_SQL } from './event-store.migration.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** The statements without their comment lines: what PostgreSQL runs. */
const code = (text: string) => text.split('\n').filter((line) => !/^\s*--/.test(line)).join('\n');

/**
 * Applied migrations are history: a fresh database must get what an upgraded one got. The texts
 * are built from shared pieces (appendTurnsSql), so an edit to a piece would change them silently;
 * these digests are of the texts as released (31cf6aa). The JSON form gained comment lines when it
 * came to share appendTurnsSql with the first form; its code is unchanged.
 */
describe('append_events migration texts', () => {
  it('are the released texts: the array form and its wrapper exactly, the JSON form in code', () => {
    expect(sha256(APPEND_EVENTS_ARRAYS_SQL)).toBe('cbbc1280263d3fa8486075fc5eb7def986d4865bedd2af5ae9117110281f95b7');
    expect(sha256(appendEventsArraysWrapperSql('*'))).toBe('f4b88514a81fda279502effa191fe6f116f8795293a5df9e39ae48887af1d5a0');
    expect(sha256(code(appendEventsJsonSql(false)))).toBe('a0780272558bf02af9f1006e96031d5c230842b1f297966db2ae26c99971f005');
  });

  it('keep their current texts (a change belongs in a new migration)', () => {
    expect(sha256(appendEventsJsonSql(false))).toBe('e66016653e218995140e201e18341febc9d231d343d999fcf9d8504edd7d4525');
    expect(sha256(appendEventsJsonSql(true))).toBe('5e324779628123e841a7ed3f6560a47a417740c95a2834faea9f664bc5e8a994');
  });
});
