export { startEmbeddedKafka } from './broker';
export type {
  BrokerSecurityProtocol,
  BrokerStats,
  BrokerTlsOptions,
  EmbeddedKafkaBroker,
  EmbeddedKafkaOptions,
  FaultInjector,
  TopicStats,
} from './broker';
export { BROKER_SASL_MECHANISMS } from './security/sasl-server';
export { listenerSecurity, readSaslUsers } from './security/listener-files';
export type { BrokerSaslMechanism, BrokerSaslOptions } from './security/sasl-server';
export { crc32c } from './crc32c';
export { buildRecordBatch, decodeRecordBatch } from './protocol/record-batch';
export type { DecodedRecord, SimpleRecord } from './protocol/record-batch';
