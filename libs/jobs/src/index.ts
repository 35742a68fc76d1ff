export * from './credit-jobs';
export * from './jobs-client';
