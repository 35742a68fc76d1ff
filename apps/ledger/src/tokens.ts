/** Injection tokens for the plain (non-Nest) building blocks the ledger app wires together. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const LEDGER_DATA_SOURCE = Symbol('LEDGER_DATA_SOURCE');
export const CLOCK = Symbol('CLOCK');
export const INGEST_HOOKS = Symbol('INGEST_HOOKS');
