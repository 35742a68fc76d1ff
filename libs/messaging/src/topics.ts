import { Admin, ITopicConfig } from 'kafkajs';

/** Topics this service owns or reads (alert topics: ALL_ALERT_TOPICS in the domain). */
export interface TopicNames {
  events: string;
  dlq: string;
}

export const DEFAULT_PARTITIONS = 6;

/** Create missing topics (a no-op when they exist); real Kafka deployments may pre-create them instead. */
export async function ensureTopics(
  admin: Admin,
  names: string[],
  partitions = DEFAULT_PARTITIONS,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = names
    .filter((n) => !existing.has(n))
    .map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 }));
  if (missing.length) await admin.createTopics({ topics: missing, waitForLeaders: true });
}
