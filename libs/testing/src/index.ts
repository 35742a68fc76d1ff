export * from './generator';
export * from './test-database';
export * from './fold';
export * from './tcp-proxy';
