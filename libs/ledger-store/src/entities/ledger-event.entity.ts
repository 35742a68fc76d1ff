import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per accepted event. Written only by LedgerWriter; triggers refuse UPDATE, DELETE and TRUNCATE. */
@Entity('ledger_events')
export class LedgerEventEntity {
  @PrimaryColumn({ type: 'bigint' }) sequence!: string;
  @Column({ name: 'customer_id', type: 'text' }) customerId!: string;
  @Column({ name: 'stream_version', type: 'integer' }) streamVersion!: number;
  @Column({ type: 'text' }) source!: string;
  @Column({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ type: 'text' }) type!: string;
  @Column({ type: 'smallint' }) version!: number;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
  @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt!: Date;
  @Column({ type: 'jsonb' }) payload!: Record<string, unknown>;
  @Column({ type: 'jsonb' }) metadata!: Record<string, unknown>;
  /** sha256 of the event's canonical stored form; null on rows written before it was kept. */
  @Column({ name: 'content_hash', type: 'text', nullable: true }) contentHash!: string | null;
}
