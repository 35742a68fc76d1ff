import { PolicyVersionInfo, versionInForce } from './policy-store';

const v = (version: number, from: string): PolicyVersionInfo => ({
  version,
  effectiveFromSequence: from,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'test',
  note: null,
  approvedBy: [],
  approvedRoles: [],
  approvedAt: null,
  proposalId: null,
  policyHash: null,
});

describe('versionInForce', () => {
  const schedule = [v(1, '1'), v(2, '100'), v(3, '250'), v(4, '250')];
  it.each([
    [0n, 1],
    [1n, 1],
    [99n, 1],
    [100n, 2],
    [249n, 2],
    [250n, 4], // two versions adopted with no event in between: the later one is in force
    [10_000n, 4],
  ])('at sequence %s it is version %s', (seq, expected) => {
    expect(versionInForce(schedule, seq)).toBe(expected);
  });
});
