import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Any bytes can be dead-lettered: the original Kafka key and value are kept as bytea (text refuses a NUL byte and
 * invalid UTF-8, and one such message used to roll back the whole append). Ledger and parked rows get the content
 * hash of their event, so a key re-sent with other content is told apart from a redelivery (DUPLICATE_CONFLICT).
 * Rows written before this migration have no hash; the writer computes it from the stored row when it needs one.
 * rejected_events becomes the dead-letter outbox: a relay publishes each row to the DLQ topic and stamps
 * dead_lettered_at, so no rejection is recorded without its letter (rows before this were published inline).
 */
export class RawBytesAndContentHash1764800000000 implements MigrationInterface {
  name = 'RawBytesAndContentHash1764800000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['rejected_events', 'parked_events']) {
      await q.query(
        `ALTER TABLE ${table} ALTER COLUMN message_key TYPE bytea USING convert_to(message_key, 'UTF8')`,
      );
      await q.query(
        `ALTER TABLE ${table} ALTER COLUMN raw_value TYPE bytea USING convert_to(raw_value, 'UTF8')`,
      );
      await q.query(`ALTER TABLE ${table} ADD COLUMN content_hash text`);
    }
    await q.query(`ALTER TABLE ledger_events ADD COLUMN content_hash text`);
    await q.query(`ALTER TABLE rejected_events ADD COLUMN dead_lettered_at timestamptz`);
    await q.query(`UPDATE rejected_events SET dead_lettered_at = rejected_at`);
    await q.query(
      `CREATE INDEX rejected_events_unsent ON rejected_events (id) WHERE dead_lettered_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rejected_events DROP COLUMN IF EXISTS dead_lettered_at`);
    await q.query(`ALTER TABLE ledger_events DROP COLUMN IF EXISTS content_hash`);
    for (const table of ['rejected_events', 'parked_events']) {
      await q.query(`ALTER TABLE ${table} DROP COLUMN IF EXISTS content_hash`);
      await q.query(
        `ALTER TABLE ${table} ALTER COLUMN raw_value TYPE text USING convert_from(raw_value, 'UTF8')`,
      );
      await q.query(
        `ALTER TABLE ${table} ALTER COLUMN message_key TYPE text USING convert_from(message_key, 'UTF8')`,
      );
    }
  }
}
