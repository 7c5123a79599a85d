import { jsonDepthExceeds, JSON_DEPTH_MAX } from './json-depth.js';

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

describe('jsonDepthExceeds', () => {
  it('allows bodies up to the limit and refuses one level more', () => {
    expect(jsonDepthExceeds(nested(JSON_DEPTH_MAX))).toBe(false);
    expect(jsonDepthExceeds(nested(JSON_DEPTH_MAX + 1))).toBe(true);
    expect(jsonDepthExceeds('{"a":'.repeat(JSON_DEPTH_MAX + 1) + '1' + '}'.repeat(JSON_DEPTH_MAX + 1))).toBe(true);
  });

  it('scans 200,000 levels without recursing', () => {
    expect(jsonDepthExceeds(nested(200_000))).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const deepText = JSON.stringify({ note: '[['.repeat(1000) + '\\"{{' + '"'.repeat(3) });
    expect(jsonDepthExceeds(deepText)).toBe(false);
    expect(JSON.parse(deepText).note.length).toBeGreaterThan(2000);
  });

  it('counts siblings at their own depth, not added up', () => {
    const wide = `[${Array.from({ length: 10_000 }, () => '[[1]]').join(',')}]`;
    expect(jsonDepthExceeds(wide, 3)).toBe(false);
    expect(jsonDepthExceeds(wide, 2)).toBe(true);
  });
});
