import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Personal data (docs/personal-data.md): the customers' wrapped data keys (deleted to forget a customer), the
 * destroyed-key ledger that keeps a restored key from opening anything again, and the log of who read personal
 * fields. The last two are append-only by trigger, like the ledger.
 */
export class PersonalData1765500000000 implements MigrationInterface {
  name = 'PersonalData1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE personal_data_keys (
        customer_id         text PRIMARY KEY,
        key_version         integer     NOT NULL,
        master_key_version  integer     NOT NULL,
        wrapped_key         bytea       NOT NULL,
        created_at          timestamptz NOT NULL DEFAULT now(),
        rewrapped_at        timestamptz
      )`);
    await q.query(`
      CREATE TABLE personal_data_erasures (
        customer_id   text PRIMARY KEY,
        request_id    text        NOT NULL,
        requested_by  text        NOT NULL,
        approved_by   text        NOT NULL,
        reason        text        NOT NULL,
        erased_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE personal_data_access_log (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        read_at      timestamptz NOT NULL DEFAULT now(),
        principal    text        NOT NULL,
        role         text        NOT NULL,
        customer_id  text        NOT NULL,
        fields       text[]      NOT NULL,
        outcome      text        NOT NULL,
        purpose      text        NOT NULL
      )`);
    await q.query(
      `CREATE INDEX personal_data_access_log_customer ON personal_data_access_log (customer_id, id)`,
    );
    await q.query(
      `CREATE INDEX personal_data_access_log_principal ON personal_data_access_log (principal, id)`,
    );
    await q.query(`
      CREATE FUNCTION personal_data_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP;
      END $$`);
    for (const table of ['personal_data_erasures', 'personal_data_access_log']) {
      await q.query(`
        CREATE TRIGGER ${table}_no_update_delete BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION personal_data_append_only()`);
      await q.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION personal_data_append_only()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS personal_data_access_log`);
    await q.query(`DROP TABLE IF EXISTS personal_data_erasures`);
    await q.query(`DROP TABLE IF EXISTS personal_data_keys`);
    await q.query(`DROP FUNCTION IF EXISTS personal_data_append_only()`);
  }
}
