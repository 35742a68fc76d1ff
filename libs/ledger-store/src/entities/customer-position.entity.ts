import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The customer projection: time-independent figures as columns (for lists and sorting) and the whole
 * customer state as canonical JSON text (text, not jsonb, so the bytes are exactly what the domain wrote).
 */
@Entity('customer_positions')
export class CustomerPositionEntity {
  @PrimaryColumn({ name: 'customer_id', type: 'text' }) customerId!: string;
  @Column({ type: 'text', nullable: true }) name!: string | null;
  @Column({ type: 'text', nullable: true }) currency!: string | null;
  @Column({ name: 'credit_limit', type: 'bigint' }) creditLimit!: string;
  @Column({ name: 'open_receivables', type: 'bigint' }) openReceivables!: string;
  @Column({ name: 'open_orders', type: 'bigint' }) openOrders!: string;
  @Column({ type: 'bigint' }) exposure!: string;
  @Column({ type: 'bigint' }) available!: string;
  @Column({ name: 'utilisation_bp', type: 'integer', nullable: true }) utilisationBp!: number | null;
  @Column({ type: 'integer', nullable: true }) score!: number | null;
  @Column({ type: 'text', nullable: true }) grade!: string | null;
  @Column({ type: 'text' }) status!: string;
  @Column({ name: 'policy_version', type: 'integer', nullable: true }) policyVersion!: number | null;
  @Column({ name: 'rated_at', type: 'timestamptz', nullable: true }) ratedAt!: Date | null;
  @Column({ name: 'stream_version', type: 'integer' }) streamVersion!: number;
  @Column({ name: 'last_sequence', type: 'bigint' }) lastSequence!: string;
  @Column({ type: 'text' }) state!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
