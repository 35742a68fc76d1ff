import { DataSource, QueryRunner } from 'typeorm';
import { GradePolicy, validatePolicy } from '@credit-ledger/domain';

export type Queryable = Pick<DataSource, 'query'> | Pick<QueryRunner, 'query'>;

export interface PolicyVersionInfo {
  version: number;
  /** First ledger sequence rated under this version (decimal string). */
  effectiveFromSequence: string;
  createdAt: string;
  /** Who proposed it (versions adopted before four-eyes: who adopted it). */
  createdBy: string;
  note: string | null;
  /** Who approved the proposal and in which role, and when it came into force (null before four-eyes adoption). */
  approvedBy: string[];
  approvedRoles: string[];
  approvedAt: string | null;
  proposalId: string | null;
  /** sha256 of the validated policy's canonical JSON (null for versions stored before hashes). */
  policyHash: string | null;
}

interface PolicyRow {
  version: number;
  policy: unknown;
  effective_from_sequence: string;
  created_at: Date;
  created_by: string;
  note: string | null;
  approved_by: string[] | null;
  approved_roles: string[] | null;
  approved_at: Date | null;
  proposal_id: string | null;
  policy_hash: string | null;
}

/**
 * Grading policy versions and when each came into force. The newest version grades new events; replay and
 * explanations ask for the version in force at an event's sequence, so a rating is always reproduced with the
 * version that produced it.
 */
export class PolicyStore {
  private cache = new Map<number, GradePolicy>();
  /** Ascending by effective sequence, then version: the last entry at or before s is in force at s. */
  private schedule: PolicyVersionInfo[] = [];
  private currentVersion: number | null = null;

  constructor(private readonly ds: DataSource) {}

  async load(q: Queryable = this.ds): Promise<GradePolicy> {
    const rows: PolicyRow[] = await q.query(
      `SELECT version, policy, effective_from_sequence::text AS effective_from_sequence, created_at, created_by, note,
              approved_by, approved_roles, approved_at, proposal_id, policy_hash
       FROM grade_policies ORDER BY grade_policies.effective_from_sequence, version`, // the bigint, not the text alias
    );
    if (rows.length === 0) throw new Error('grade_policies is empty: run `credit-ledger migrate`');
    const cache = new Map<number, GradePolicy>();
    for (const row of rows) cache.set(row.version, validatePolicy(row.policy));
    this.cache = cache;
    this.schedule = rows.map((r) => ({
      version: r.version,
      effectiveFromSequence: r.effective_from_sequence,
      createdAt: new Date(r.created_at).toISOString(),
      createdBy: r.created_by,
      note: r.note,
      approvedBy: r.approved_by ?? [],
      approvedRoles: r.approved_roles ?? [],
      approvedAt: r.approved_at === null ? null : new Date(r.approved_at).toISOString(),
      proposalId: r.proposal_id,
      policyHash: r.policy_hash,
    }));
    this.currentVersion = this.schedule[this.schedule.length - 1].version;
    return this.current();
  }

  /** Reloads when another process adopted a version since; cheap enough to run once per append transaction. */
  async refresh(q: Queryable = this.ds): Promise<GradePolicy> {
    const [row] = await q.query('SELECT max(version) AS v FROM grade_policies');
    if (row?.v !== this.currentVersion) return this.load(q);
    return this.current();
  }

  current(): GradePolicy {
    if (this.currentVersion === null) throw new Error('PolicyStore.load() has not run');
    return this.cache.get(this.currentVersion)!;
  }

  version(v: number): GradePolicy | undefined {
    return this.cache.get(v);
  }

  /** The version in force for the event at ledger sequence `sequence`. */
  inForceAt(sequence: string | bigint): GradePolicy {
    return this.cache.get(versionInForce(this.schedule, BigInt(sequence)))!;
  }

  versions(): PolicyVersionInfo[] {
    if (this.currentVersion === null) throw new Error('PolicyStore.load() has not run');
    return this.schedule.map((v) => ({ ...v }));
  }
}

/** Version in force at `sequence` in an ascending schedule; the first version also covers anything before it. */
export function versionInForce(schedule: readonly PolicyVersionInfo[], sequence: bigint): number {
  let found = schedule[0].version;
  for (const v of schedule) {
    if (BigInt(v.effectiveFromSequence) > sequence) break;
    found = v.version;
  }
  return found;
}
