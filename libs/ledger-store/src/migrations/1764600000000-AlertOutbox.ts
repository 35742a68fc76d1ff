import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transactional outbox for alerts: rows are inserted in the same transaction as the ledger events that raise
 * them and published to Kafka by the relay. Not part of the ledger, so marking a row sent is an UPDATE.
 */
export class AlertOutbox1764600000000 implements MigrationInterface {
  name = 'AlertOutbox1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alert_outbox (
        id          bigserial PRIMARY KEY,
        alert_id    text        NOT NULL UNIQUE,
        topic       text        NOT NULL,
        key         text        NOT NULL,
        payload     jsonb       NOT NULL,
        sequence    bigint      NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        sent_at     timestamptz
      )`);
    await q.query(`CREATE INDEX alert_outbox_unsent ON alert_outbox (id) WHERE sent_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS alert_outbox`);
  }
}
