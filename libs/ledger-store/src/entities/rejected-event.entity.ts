import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An input that could not enter the ledger, with the reason; its twin went to the dead-letter topic. */
@Entity('rejected_events')
export class RejectedEventEntity {
  @PrimaryColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) topic!: string;
  @Column({ type: 'integer' }) partition!: number;
  @Column({ type: 'bigint' }) offset!: string;
  @Column({ name: 'message_key', type: 'bytea', nullable: true }) messageKey!: Buffer | null;
  @Column({ name: 'raw_value', type: 'bytea' }) rawValue!: Buffer;
  @Column({ name: 'content_hash', type: 'text', nullable: true }) contentHash!: string | null;
  @Column({ type: 'text' }) code!: string;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'text', nullable: true }) source!: string | null;
  @Column({ name: 'event_id', type: 'text', nullable: true }) eventId!: string | null;
  @Column({ name: 'customer_id', type: 'text', nullable: true }) customerId!: string | null;
  @Column({ name: 'rejected_at', type: 'timestamptz' }) rejectedAt!: Date;
  /** When the relay published its dead letter; null until then. */
  @Column({ name: 'dead_lettered_at', type: 'timestamptz', nullable: true }) deadLetteredAt!: Date | null;
}
