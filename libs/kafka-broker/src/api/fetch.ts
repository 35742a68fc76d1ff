import { ApiHandler, RequestContext } from '../context';
import { PartitionLog } from '../log/partition-log';
import { ApiKey } from '../protocol/api-keys';
import { Decoder } from '../protocol/decoder';
import { Encoder } from '../protocol/encoder';
import { ErrorCode } from '../protocol/error-codes';

interface PartitionFetch {
  partition: number;
  offset: number;
  maxBytes: number;
  log: PartitionLog | undefined;
}

interface TopicFetch {
  topic: string;
  partitions: PartitionFetch[];
}

function parse(d: Decoder): { maxWait: number; minBytes: number; maxBytes: number; topics: TopicFetch[] } {
  d.int32(); // replica id
  const maxWait = d.int32();
  const minBytes = d.int32();
  const maxBytes = d.int32();
  d.int8(); // isolation level: everything stored is committed (no transactions)
  const topics = d.array((t) => ({
    topic: t.string(),
    partitions: t.array((p) => ({
      partition: p.int32(),
      offset: p.int64(),
      maxBytes: p.int32(),
      log: undefined,
    })),
  }));
  return { maxWait, minBytes, maxBytes, topics };
}

function errorFor(pf: PartitionFetch): number {
  if (!pf.log) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (pf.offset > pf.log.highWatermark || pf.offset < pf.log.logStartOffset)
    return ErrorCode.OFFSET_OUT_OF_RANGE;
  return ErrorCode.NONE;
}

/** Bytes the response would carry now, or -1 if some partition has an error (respond immediately). */
function available(topics: TopicFetch[]): number {
  let bytes = 0;
  for (const t of topics)
    for (const pf of t.partitions) {
      if (errorFor(pf) !== ErrorCode.NONE) return -1;
      bytes += (pf.log as PartitionLog).bytesAvailable(pf.offset);
    }
  return bytes;
}

function encode(topics: TopicFetch[], maxBytes: number): Encoder {
  const e = new Encoder(128).int32(0);
  let budget = maxBytes;
  e.int32(topics.length);
  for (const t of topics) {
    e.string(t.topic).int32(t.partitions.length);
    for (const pf of t.partitions) {
      const errorCode = errorFor(pf);
      const log = pf.log;
      const hw = log ? log.highWatermark : -1;
      e.int32(pf.partition).int16(errorCode).int64(hw).int64(hw).int32(0); // no aborted transactions
      if (errorCode !== ErrorCode.NONE || !log || budget <= 0) {
        e.int32(0);
        continue;
      }
      const batches = log.read(pf.offset, Math.min(pf.maxBytes, budget));
      e.bytesFromParts(batches);
      for (const b of batches) budget -= b.length;
    }
  }
  return e;
}

/** Fetch v4 with long-poll: parks until minBytes are available or maxWaitTime elapses. */
export const fetchHandler: ApiHandler = {
  key: ApiKey.Fetch,
  minVersion: 4,
  maxVersion: 4,
  handle(ctx: RequestContext, d) {
    const req = parse(d);
    for (const t of req.topics) {
      const topic = ctx.broker.topics.get(t.topic);
      for (const pf of t.partitions) pf.log = topic?.partitions[pf.partition]?.log;
    }
    const now = available(req.topics);
    if (now < 0 || now >= Math.max(req.minBytes, 1) || req.maxWait <= 0)
      return encode(req.topics, req.maxBytes);

    return new Promise<Encoder>((resolve) => {
      const logs = new Set<PartitionLog>();
      for (const t of req.topics) for (const pf of t.partitions) if (pf.log) logs.add(pf.log);
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        for (const l of logs) l.removeWaiter(wake);
        resolve(encode(req.topics, req.maxBytes));
      };
      const wake = (): void => {
        if (done) return;
        const bytes = available(req.topics);
        if (bytes < 0 || bytes >= Math.max(req.minBytes, 1)) finish();
        else for (const l of logs) l.addWaiter(wake);
      };
      const timer = setTimeout(finish, req.maxWait);
      for (const l of logs) l.addWaiter(wake);
      ctx.onClose(() => {
        done = true;
        clearTimeout(timer);
        for (const l of logs) l.removeWaiter(wake);
      });
    });
  },
};
