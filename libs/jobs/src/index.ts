export * from './credit-jobs';
export * from './jobs-client';
export * from './redis-connection';
