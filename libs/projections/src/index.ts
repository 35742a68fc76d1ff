export * from './position-view';
export * from './position-queries';
export * from './as-of-replay';
export * from './rebuild/customer-streams';
export * from './rebuild/rebuild';
export * from './audit/trace';
export * from './audit/verify';
export * from './audit/audit-queries';
