import { DataSource } from 'typeorm';
import { GradePolicy, validatePolicy } from '@credit-ledger/domain';

/** Reads grading policy versions; the newest version grades new events. */
export class PolicyStore {
  private cache = new Map<number, GradePolicy>();
  private currentVersion: number | null = null;

  constructor(private readonly ds: DataSource) {}

  async load(): Promise<GradePolicy> {
    const rows: Array<{ version: number; policy: unknown }> = await this.ds.query(
      'SELECT version, policy FROM grade_policies ORDER BY version',
    );
    if (rows.length === 0) throw new Error('grade_policies is empty: run `credit-ledger migrate`');
    for (const row of rows) this.cache.set(row.version, validatePolicy(row.policy));
    this.currentVersion = rows[rows.length - 1].version;
    return this.current();
  }

  current(): GradePolicy {
    if (this.currentVersion === null) throw new Error('PolicyStore.load() has not run');
    return this.cache.get(this.currentVersion)!;
  }

  version(v: number): GradePolicy | undefined {
    return this.cache.get(v);
  }
}
