import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Versioned grading policy; a new version is a new row, never an edit. */
@Entity('grade_policies')
export class GradePolicyEntity {
  @PrimaryColumn({ type: 'integer' }) version!: number;
  @Column({ type: 'jsonb' }) policy!: Record<string, unknown>;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'created_by', type: 'text' }) createdBy!: string;
  /** First ledger sequence rated under this version (set by adoption, under the append lock). */
  @Column({ name: 'effective_from_sequence', type: 'bigint' }) effectiveFromSequence!: string;
  @Column({ type: 'text', nullable: true }) note!: string | null;
}
