import { ApiHandler } from '../context';
import { isValidTopicName } from '../log/topic-store';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';
import { ErrorCode } from '../protocol/error-codes';

interface TopicRequest {
  name: string;
  numPartitions: number;
  assignments: number;
}

/** CreateTopics v2. Replication factor is accepted and ignored (single broker). */
export const createTopicsHandler: ApiHandler = {
  key: ApiKey.CreateTopics,
  minVersion: 2,
  maxVersion: 2,
  handle(ctx, d) {
    const topics = d.array((x): TopicRequest => {
      const name = x.string();
      const numPartitions = x.int32();
      x.int16(); // replication factor
      const assignments = x.array((a) => {
        a.int32();
        a.array((r) => r.int32());
        return 0;
      }).length;
      x.array((c) => [c.string(), c.nullableString()]);
      return { name, numPartitions, assignments };
    });
    d.int32(); // timeout
    const validateOnly = d.boolean();
    const b = ctx.broker;
    const results = topics.map((t) => {
      const partitions =
        t.numPartitions > 0 ? t.numPartitions : t.assignments > 0 ? t.assignments : b.defaultPartitions;
      if (!isValidTopicName(t.name))
        return {
          name: t.name,
          code: ErrorCode.INVALID_TOPIC_EXCEPTION,
          msg: `Invalid topic name '${t.name}'`,
        };
      if (b.topics.has(t.name))
        return {
          name: t.name,
          code: ErrorCode.TOPIC_ALREADY_EXISTS,
          msg: `Topic '${t.name}' already exists.`,
        };
      if (partitions > 10000)
        return { name: t.name, code: ErrorCode.INVALID_PARTITIONS, msg: 'Too many partitions' };
      if (!validateOnly) {
        b.topics.create(t.name, partitions);
        b.info(`created topic ${t.name} with ${partitions} partition(s)`);
      }
      return { name: t.name, code: ErrorCode.NONE, msg: null };
    });
    return new Encoder()
      .int32(0)
      .array(results, (w, r) => w.string(r.name).int16(r.code).nullableString(r.msg));
  },
};
