export const WORKER_CONFIG = Symbol('WORKER_CONFIG');
export const WORKER_DATA_SOURCE = Symbol('WORKER_DATA_SOURCE');
export const WORKER_HOOKS = Symbol('WORKER_HOOKS');
export const JOBS_CLIENT = Symbol('JOBS_CLIENT');
