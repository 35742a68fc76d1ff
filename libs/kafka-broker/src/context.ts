import { GroupCoordinator } from './group/group-coordinator';
import { TopicStore } from './log/topic-store';
import { Decoder } from './protocol/decoder';
import { Encoder } from './protocol/encoder';
import { SaslSession } from './security/sasl-session';

/** Broker-wide state shared by all API handlers. */
export interface BrokerContext {
  readonly brokerId: number;
  readonly host: string;
  readonly port: number;
  readonly clusterId: string;
  readonly topics: TopicStore;
  readonly coordinator: GroupCoordinator;
  readonly autoCreateTopics: boolean;
  readonly defaultPartitions: number;
  nextProducerId(): number;
  info(line: string): void;
  warn(line: string): void;
}

/** Per-request view: header fields plus the owning connection's lifecycle. */
export interface RequestContext {
  readonly broker: BrokerContext;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string;
  readonly clientHost: string;
  /** Registers cleanup for parked requests (long-poll fetch) when the connection goes away. */
  onClose(fn: () => void): void;
  readonly closed: boolean;
  /** The connection's SASL state (authenticated from the start on a listener without SASL). */
  readonly sasl: SaslSession;
  /** Closes the connection once this request's response is written (failed authentication). */
  closeAfterResponse(): void;
}

/** A response body, a parked response, or null for "no response" (produce with acks=0). */
export type ApiResult = Encoder | Promise<Encoder> | null;

export interface ApiHandler {
  readonly key: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(ctx: RequestContext, req: Decoder): ApiResult;
}
