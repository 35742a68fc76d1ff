export * from './app-config';
export * from './connection-error';
export * from './connections';
export * from './secrets';
