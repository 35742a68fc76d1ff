import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An input that could not enter the ledger, with the reason; its twin went to the dead-letter topic. */
@Entity('rejected_events')
export class RejectedEventEntity {
  @PrimaryColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) topic!: string;
  @Column({ type: 'integer' }) partition!: number;
  @Column({ type: 'bigint' }) offset!: string;
  @Column({ name: 'message_key', type: 'text', nullable: true }) messageKey!: string | null;
  @Column({ name: 'raw_value', type: 'text' }) rawValue!: string;
  @Column({ type: 'text' }) code!: string;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'text', nullable: true }) source!: string | null;
  @Column({ name: 'event_id', type: 'text', nullable: true }) eventId!: string | null;
  @Column({ name: 'customer_id', type: 'text', nullable: true }) customerId!: string | null;
  @Column({ name: 'rejected_at', type: 'timestamptz' }) rejectedAt!: Date;
}
