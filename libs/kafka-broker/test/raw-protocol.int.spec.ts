import { buildRecordBatch, EmbeddedKafkaBroker, startEmbeddedKafka } from '@credit-ledger/kafka-broker';
import { Decoder } from '../src/protocol/decoder';
import { RawClient } from './raw-client';

jest.setTimeout(30_000);

const produce = (corr: number, acks: number, topic: string, batch: Buffer): Buffer =>
  RawClient.request(0, 3, corr, (e) =>
    e
      .nullableString(null)
      .int16(acks)
      .int32(1000)
      .array([topic], (w, t) => w.string(t).array([batch], (pw, b) => pw.int32(0).bytes(b))),
  );

function readProduce(d: Decoder): { corr: number; errorCode: number; baseOffset: number } {
  const corr = d.int32();
  d.int32(); // topics
  d.string();
  d.int32(); // partitions
  d.int32(); // partition
  const errorCode = d.int16();
  const baseOffset = d.int64();
  return { corr, errorCode, baseOffset };
}

const rec = (v: string) => ({ key: null, value: Buffer.from(v) });

describe('embedded broker: raw wire protocol', () => {
  let broker: EmbeddedKafkaBroker;
  let client: RawClient;

  beforeAll(async () => {
    broker = await startEmbeddedKafka({ log: () => undefined });
    broker.createTopic('raw', 1);
  });
  beforeEach(async () => {
    client = await RawClient.connect(broker.port);
  });
  afterEach(() => client.close());
  afterAll(async () => {
    await broker.stop();
  });

  it('answers pipelined requests in order and sends nothing for acks=0', async () => {
    client.send(
      produce(1, 0, 'raw', buildRecordBatch([rec('a')])),
      produce(2, 1, 'raw', buildRecordBatch([rec('b'), rec('c')])),
      RawClient.request(18, 0, 3, () => undefined),
      produce(4, -1, 'raw', buildRecordBatch([rec('d')])),
    );
    expect(readProduce(await client.next())).toEqual({ corr: 2, errorCode: 0, baseOffset: 1 });
    expect((await client.next()).int32()).toBe(3);
    expect(readProduce(await client.next())).toEqual({ corr: 4, errorCode: 0, baseOffset: 3 });
  });

  it('rejects a corrupt batch with CORRUPT_MESSAGE', async () => {
    const batch = buildRecordBatch([rec('x')]);
    batch[batch.length - 1] ^= 1;
    client.send(produce(1, -1, 'raw', batch));
    expect(readProduce(await client.next())).toMatchObject({ errorCode: 2 });
  });

  it('de-duplicates idempotent retries and rejects sequence gaps', async () => {
    client.send(RawClient.request(22, 0, 1, (e) => e.nullableString(null).int32(60000)));
    const init = await client.next();
    init.int32();
    init.int32();
    expect(init.int16()).toBe(0);
    const producerId = init.int64();
    const epoch = init.int16();
    const b = (seq: number, n: number) =>
      buildRecordBatch(
        Array.from({ length: n }, (_, i) => rec(`s${seq + i}`)),
        { producerId, producerEpoch: epoch, baseSequence: seq },
      );
    client.send(produce(2, -1, 'raw', b(0, 3)));
    const first = readProduce(await client.next());
    expect(first.errorCode).toBe(0);
    const before = broker.stats().messages;
    client.send(produce(3, -1, 'raw', b(0, 3))); // retry of the same batch
    expect(readProduce(await client.next())).toEqual({ corr: 3, errorCode: 0, baseOffset: first.baseOffset });
    expect(broker.stats().messages).toBe(before);
    client.send(produce(4, -1, 'raw', b(7, 1))); // gap
    expect(readProduce(await client.next())).toMatchObject({ errorCode: 45 });
    client.send(produce(5, -1, 'raw', b(3, 2)));
    expect(readProduce(await client.next())).toEqual({
      corr: 5,
      errorCode: 0,
      baseOffset: first.baseOffset + 3,
    });
  });

  it('closes the connection on an unknown API key or version', async () => {
    client.send(RawClient.request(3, 99, 1, () => undefined));
    await expect(client.next()).rejects.toThrow('connection closed');
    const other = await RawClient.connect(broker.port);
    other.send(RawClient.request(999, 0, 1, () => undefined));
    await expect(other.next()).rejects.toThrow('connection closed');
  });
});
