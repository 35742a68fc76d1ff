import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A valid event waiting for the event it refers to (e.g. a payment for its invoice). */
@Entity('parked_events')
export class ParkedEventEntity {
  @PrimaryColumn({ type: 'text' }) source!: string;
  @PrimaryColumn({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ name: 'customer_id', type: 'text' }) customerId!: string;
  @Column({ name: 'park_order', type: 'bigint' }) parkOrder!: string;
  @Column({ type: 'jsonb' }) event!: Record<string, unknown>;
  @Column({ type: 'text' }) topic!: string;
  @Column({ type: 'integer' }) partition!: number;
  @Column({ type: 'bigint' }) offset!: string;
  @Column({ name: 'message_key', type: 'bytea', nullable: true }) messageKey!: Buffer | null;
  @Column({ name: 'raw_value', type: 'bytea' }) rawValue!: Buffer;
  @Column({ name: 'content_hash', type: 'text', nullable: true }) contentHash!: string | null;
  @Column({ type: 'text' }) code!: string;
  @Column({ type: 'text' }) reason!: string;
  @Column({ name: 'parked_at', type: 'timestamptz' }) parkedAt!: Date;
}
