export { startEmbeddedKafka } from './broker';
export type {
  BrokerStats,
  EmbeddedKafkaBroker,
  EmbeddedKafkaOptions,
  FaultInjector,
  TopicStats,
} from './broker';
export { crc32c } from './crc32c';
export { buildRecordBatch, decodeRecordBatch } from './protocol/record-batch';
export type { DecodedRecord, SimpleRecord } from './protocol/record-batch';
