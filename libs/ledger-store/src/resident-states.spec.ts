import { initialState } from '@credit-ledger/domain';
import { ResidentStates } from './resident-states';

const stateOf = (id: string, version: number) => ({ ...initialState(id), streamVersion: version });

describe('ResidentStates', () => {
  it('given a state put back after an append, when taken, then it is handed out once with its size', () => {
    const r = new ResidentStates(10_000);
    r.put(stateOf('C-1', 3), 1000);
    const taken = r.take(['C-1', 'C-2']);
    expect([...taken.keys()]).toEqual(['C-1']);
    expect(taken.get('C-1')!.jsonLength).toBe(1000);
    expect(r.take(['C-1']).size).toBe(0);
    expect(r.bytes).toBe(0);
  });

  it('given a full budget, when another state is put, then the least recently put go first', () => {
    const r = new ResidentStates(4_500);
    r.put(stateOf('A', 1), 1000);
    r.put(stateOf('B', 1), 1000);
    r.put(stateOf('C', 1), 1000);
    r.put(stateOf('A', 2), 1000);
    expect(r.size).toBe(3);
    r.put(stateOf('D', 1), 1000);
    expect(r.size).toBe(3);
    expect([...r.take(['A', 'B', 'C', 'D']).keys()].sort()).toEqual(['A', 'C', 'D']);
  });

  it('given a state larger than the budget, when put, then it is not kept', () => {
    const r = new ResidentStates(1_000);
    r.put(stateOf('A', 1), 100);
    r.put(stateOf('A', 2), 5_000);
    expect(r.size).toBe(0);
    expect(r.bytes).toBe(0);
  });

  it('given states kept, when cleared (a rebalance), then none is left', () => {
    const r = new ResidentStates(10_000);
    r.put(stateOf('A', 1), 100);
    r.clear();
    expect(r.take(['A']).size).toBe(0);
  });

  it('given no state put for the idle time, when it passes, then all are dropped', () => {
    jest.useFakeTimers();
    try {
      const r = new ResidentStates(10_000, 5_000);
      r.put(stateOf('A', 1), 100);
      jest.advanceTimersByTime(3_000);
      r.put(stateOf('B', 1), 100);
      jest.advanceTimersByTime(3_000);
      expect(r.size).toBe(2);
      jest.advanceTimersByTime(2_500);
      expect(r.size).toBe(0);
      expect(r.bytes).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
