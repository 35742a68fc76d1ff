import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Every grade change with the full rating (factors, weights, policy version) that produced it. */
@Entity('grade_history')
export class GradeHistoryEntity {
  @PrimaryColumn({ name: 'customer_id', type: 'text' }) customerId!: string;
  @PrimaryColumn({ type: 'bigint' }) sequence!: string;
  @Column({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ name: 'event_type', type: 'text' }) eventType!: string;
  @Column({ name: 'rated_at', type: 'timestamptz' }) ratedAt!: Date;
  @Column({ name: 'from_grade', type: 'text', nullable: true }) fromGrade!: string | null;
  @Column({ name: 'to_grade', type: 'text' }) toGrade!: string;
  @Column({ name: 'from_score', type: 'integer', nullable: true }) fromScore!: number | null;
  @Column({ name: 'to_score', type: 'integer' }) toScore!: number;
  @Column({ name: 'policy_version', type: 'integer' }) policyVersion!: number;
  @Column({ type: 'jsonb' }) rating!: Record<string, unknown>;
}
