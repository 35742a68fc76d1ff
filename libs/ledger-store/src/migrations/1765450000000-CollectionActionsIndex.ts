import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A collection task's latest action (the queue shows it with each task) is read by task id like the task's
 * opening and closing: the partial index on the task id now takes `CollectionActionRecorded` too, with the
 * sequence last so "the latest action of this task" is one backward step in the index, not a scan of the
 * customer's stream. It replaces the index of 1765200000000, which it covers (same leading columns).
 */
export class CollectionActionsIndex1765450000000 implements MigrationInterface {
  name = 'CollectionActionsIndex1765450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX ledger_events_collection_task_events ON ledger_events ((payload->>'taskId'), type, sequence)
        WHERE type IN ('CollectionTaskOpened', 'CollectionTaskClosed', 'CollectionActionRecorded')`);
    await q.query(`DROP INDEX IF EXISTS ledger_events_collection_tasks`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX IF NOT EXISTS ledger_events_collection_tasks ON ledger_events ((payload->>'taskId'), type)
        WHERE type IN ('CollectionTaskOpened', 'CollectionTaskClosed')`);
    await q.query(`DROP INDEX IF EXISTS ledger_events_collection_task_events`);
  }
}
