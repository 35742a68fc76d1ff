export * from './topics';
export * from './kafka-client';
export * from './dead-letters';
export * from './billing-events-consumer';
export * from './event-publisher';
export * from './outbox-relay';
export * from './alert-mailer';
export * from './lag-monitor';
