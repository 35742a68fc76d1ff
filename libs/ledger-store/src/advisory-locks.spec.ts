import { ADVISORY_LOCKS } from './advisory-locks';

describe('advisory lock ids', () => {
  it('are distinct, so no two holders wait for each other by accident', () => {
    const ids = Object.values(ADVISORY_LOCKS);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
