import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The global ledger sequence a projection has applied up to, advanced in the same transaction. */
@Entity('projection_checkpoints')
export class ProjectionCheckpointEntity {
  @PrimaryColumn({ type: 'text' }) name!: string;
  @Column({ type: 'bigint' }) sequence!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
