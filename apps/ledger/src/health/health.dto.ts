import type { PartitionLag } from '@credit-ledger/messaging';
import type { QueueDepth } from '@credit-ledger/jobs';
import {
  BigText,
  Flag,
  InstantOrNull,
  Int,
  IntOrNull,
  Many,
  One,
  OneOf,
  OneOrNull,
  TextOrNull,
  Texts,
} from '../api/schema';

export class PartitionLagResponse implements PartitionLag {
  @Int() partition!: number;
  @BigText('next offset the broker will write') highWatermark!: string;
  @BigText('next offset the group will read') committed!: string;
  @BigText() lag!: string;
}

export class LagResponse {
  @BigText('messages not yet ingested, all partitions') total!: string;
  @Many(PartitionLagResponse) partitions!: PartitionLag[];
}

export class KafkaHealthResponse {
  @Flag('the last check reached the broker') reachable!: boolean;
  @InstantOrNull() checkedAt!: string | null;
  @TextOrNull() error!: string | null;
  @One(LagResponse) lag!: LagResponse;
  @InstantOrNull('when the committed offsets last moved, or were found caught up') progressAt!: string | null;
}

export class ConsumerHealthResponse {
  @Int() crashes!: number;
  @Int() restarts!: number;
  @Int('events the database refused, isolated and dead-lettered') isolated!: number;
  @Int('appends retried after a transient failure') retries!: number;
  @InstantOrNull() lastAppendAt!: string | null;
  @InstantOrNull() lastCommitAt!: string | null;
  @IntOrNull() secondsSinceLastAppend!: number | null;
  @IntOrNull() secondsSinceLastCommit!: number | null;
  @TextOrNull() lastError!: string | null;
}

export class LedgerHealthResponse {
  @BigText() headSequence!: string;
  @TextOrNull('sequence the projection has reached') projectedSequence!: string | null;
  @Int() parked!: number;
  @Int('rejected events not yet on the dead-letter topic') deadLettersUnsent!: number;
}

export class QueueDepthResponse implements QueueDepth {
  @Int() waiting!: number;
  @Int() active!: number;
  @Int() delayed!: number;
  @Int() failed!: number;
}

export class HealthResponse {
  @OneOf(['ok', 'degraded']) status!: 'ok' | 'degraded';
  @Texts('every reason for degraded') reasons!: string[];
  @OneOf(['up', 'down']) database!: string;
  @OneOf(['running', 'stopped', 'disabled']) ingestion!: string;
  @OneOrNull(KafkaHealthResponse, 'null when this process does not consume')
  kafka!: KafkaHealthResponse | null;
  @OneOrNull(ConsumerHealthResponse) consumer!: ConsumerHealthResponse | null;
  @OneOrNull(LedgerHealthResponse, 'null when the database does not answer')
  ledger!: LedgerHealthResponse | null;
  @OneOrNull(QueueDepthResponse, 'null when Redis does not answer within 1 s') jobs!: QueueDepth | null;
  @Int() uptimeSeconds!: number;
}
