import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * E-mail delivery of alerts: one row per alertId, claimed before the send (the primary key is the promise of no
 * duplicate mail), with the recipient roles (never the addresses: those are personal data), attempts and the
 * last refusal. The mailer looks at recent outbox rows only (created_at).
 */
export class AlertMails1765200000001 implements MigrationInterface {
  name = 'AlertMails1765200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alert_mails (
        alert_id        text PRIMARY KEY,
        status          text        NOT NULL
                        CHECK (status IN ('sending', 'sent', 'failed', 'given-up', 'no-recipient')),
        roles           text[]      NOT NULL DEFAULT '{}',
        attempts        integer     NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_error      text,
        message_id      text,
        sent_at         timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX alert_mails_retry ON alert_mails (next_attempt_at) WHERE status = 'failed'`);
    await q.query(`CREATE INDEX alert_outbox_created ON alert_outbox (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS alert_outbox_created`);
    await q.query(`DROP TABLE IF EXISTS alert_mails`);
  }
}
