import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainError, GradePolicy, canonicalJson, validatePolicy } from '@credit-ledger/domain';
import { APPEND_LOCK } from './ledger-writer';
import { PolicyVersionInfo } from './policy-store';

/** sha256 of a validated policy's canonical JSON: the identity of a draft, simulated and then adopted. */
export function policyHash(policy: GradePolicy): string {
  return createHash('sha256').update(canonicalJson(policy)).digest('hex');
}

export interface AdoptOptions {
  createdBy: string;
  note?: string;
  /** Adopt exactly the draft this finished what-if simulation ran (its hash must match). */
  simulationId?: string;
}

/**
 * Adopts a new grading policy version (an admin action). It is validated with the domain's rules, must be newer
 * than every stored version, and is in force from the next ledger sequence: the row is written under the
 * writer's append lock, so no append straddles the change. Existing grades are not touched (see `policy regrade`).
 */
export async function adoptPolicy(
  ds: DataSource,
  input: unknown,
  opts: AdoptOptions,
): Promise<PolicyVersionInfo> {
  const policy = validatePolicy(input);
  return ds.transaction(async (em) => {
    await em.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    const [{ latest }] = await em.query('SELECT max(version) AS latest FROM grade_policies');
    if (policy.version <= latest) {
      throw new DomainError(
        'BAD_POLICY',
        `policy.version: version ${policy.version} is not newer than the latest stored version ${latest}; use ${latest + 1}`,
      );
    }
    const hash = policyHash(policy);
    if (opts.simulationId !== undefined) {
      const [sim] = await em.query(`SELECT status, draft_hash FROM policy_simulations WHERE id = $1`, [
        opts.simulationId,
      ]);
      if (!sim) throw new DomainError('UNKNOWN_SIMULATION', `no simulation ${opts.simulationId}`);
      if (sim.status !== 'done')
        throw new DomainError(
          'SIMULATION_MISMATCH',
          `simulation ${opts.simulationId} is ${sim.status}, not done`,
        );
      if (sim.draft_hash !== hash)
        throw new DomainError(
          'SIMULATION_MISMATCH',
          `policy differs from the draft simulated by ${opts.simulationId} (hash ${hash} ≠ ${sim.draft_hash})`,
        );
    }
    const [row] = await em.query(
      `INSERT INTO grade_policies (version, policy, created_by, note, effective_from_sequence, policy_hash, simulation_id)
       VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(sequence), 0) + 1 FROM ledger_events), $5, $6)
       RETURNING effective_from_sequence::text AS effective_from_sequence, created_at`,
      [
        policy.version,
        JSON.stringify(policy),
        opts.createdBy,
        opts.note ?? null,
        hash,
        opts.simulationId ?? null,
      ],
    );
    return {
      version: policy.version,
      effectiveFromSequence: row.effective_from_sequence as string,
      createdAt: new Date(row.created_at).toISOString(),
      createdBy: opts.createdBy,
      note: opts.note ?? null,
    };
  });
}
