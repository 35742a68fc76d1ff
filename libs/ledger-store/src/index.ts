export * from './entities';
export * from './data-source';
export * from './inbound';
export * from './ledger-writer';
export * from './ledger-reader';
export * from './policy-store';
export * from './policy-admin';
export * from './alert-outbox';
