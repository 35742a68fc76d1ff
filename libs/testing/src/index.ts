export * from './generator';
export * from './test-database';
