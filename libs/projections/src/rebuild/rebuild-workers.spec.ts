import os from 'node:os';
import { rebuildWorkers } from './rebuild';

describe('rebuildWorkers', () => {
  it('given no REBUILD_WORKERS, then up to 4, one per available core', () => {
    expect(rebuildWorkers({})).toBe(Math.min(4, os.availableParallelism()));
  });

  it('given REBUILD_WORKERS, then that many', () => {
    expect(rebuildWorkers({ REBUILD_WORKERS: '1' })).toBe(1);
    expect(rebuildWorkers({ REBUILD_WORKERS: '6' })).toBe(6);
  });

  it('given a REBUILD_WORKERS that is not a positive integer, then it says so', () => {
    for (const given of ['0', '-2', '1.5', 'two']) {
      expect(() => rebuildWorkers({ REBUILD_WORKERS: given })).toThrow(
        /REBUILD_WORKERS must be a positive integer/,
      );
    }
  });
});
