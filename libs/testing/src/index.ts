export * from './generator';
export * from './test-database';
export * from './tls-certificates';
