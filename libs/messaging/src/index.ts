export * from './topics';
export * from './kafka-client';
export * from './dead-letter-publisher';
export * from './billing-events-consumer';
export * from './event-publisher';
export * from './alert-relay';
