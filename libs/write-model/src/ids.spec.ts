import { flatUuid } from './ids.js';

describe('flatUuid', () => {
  it('is a random (v4) UUID in the canonical lower-case form, unique each time', () => {
    const ids = Array.from({ length: 10_000 }, flatUuid);
    for (const id of ids.slice(0, 100)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
