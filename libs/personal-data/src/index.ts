export * from './master-keys';
export * from './sealed';
export * from './key-store';
export * from './sealer';
export * from './reader';
