export * from './position-view';
export * from './position-queries';
export * from './as-of-replay';
