import { ApiHandler } from '../context';
import { isValidTopicName, Topic } from '../log/topic-store';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';
import { ErrorCode } from '../protocol/error-codes';

/** Metadata v4: this broker is the only broker, controller and leader of every partition. */
export const metadataHandler: ApiHandler = {
  key: ApiKey.Metadata,
  minVersion: 4,
  maxVersion: 4,
  handle(ctx, d) {
    const requested = d.nullableArray((x) => x.string());
    const allowAutoCreate = d.boolean();
    const b = ctx.broker;
    const entries: { name: string; errorCode: number; topic?: Topic }[] = [];
    if (requested === null) {
      for (const t of b.topics.all()) entries.push({ name: t.name, errorCode: ErrorCode.NONE, topic: t });
    } else {
      for (const name of requested) {
        let t = b.topics.get(name);
        if (!t && !isValidTopicName(name)) {
          entries.push({ name, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION });
          continue;
        }
        if (!t && allowAutoCreate && b.autoCreateTopics) {
          t = b.topics.create(name, b.defaultPartitions);
          b.info(`auto-created topic ${name} with ${b.defaultPartitions} partition(s)`);
        }
        entries.push(
          t
            ? { name, errorCode: ErrorCode.NONE, topic: t }
            : { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
        );
      }
    }
    const replicas = [b.brokerId];
    const e = new Encoder(256)
      .int32(0) // throttle
      .array([b.brokerId], (w, id) => w.int32(id).string(b.host).int32(b.port).nullableString(null))
      .nullableString(b.clusterId)
      .int32(b.brokerId);
    e.array(entries, (w, t) => {
      w.int16(t.errorCode).string(t.name).boolean(false);
      const parts = t.topic?.partitions ?? [];
      w.int32(parts.length);
      for (let p = 0; p < parts.length; p++) {
        w.int16(ErrorCode.NONE).int32(p).int32(b.brokerId).int32Array(replicas).int32Array(replicas);
      }
    });
    return e;
  },
};
