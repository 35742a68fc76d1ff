export * from './generator';
export * from './test-database';
export * from './fold';
export * from './tls-certificates';
export * from './tcp-proxy';
export * from './draft-policy';
