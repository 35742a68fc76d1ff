import type { RejectCode } from '../errors';

/** Whether an event applies now (accept), never (reject) or once another event has arrived (park). */
export type Decision =
  | { kind: 'accept' }
  | { kind: 'reject'; code: RejectCode; reason: string }
  | { kind: 'park'; code: RejectCode; reason: string };

export const ACCEPT: Decision = Object.freeze({ kind: 'accept' });

export const reject = (code: RejectCode, reason: string): Decision => ({ kind: 'reject', code, reason });
export const park = (code: RejectCode, reason: string): Decision => ({ kind: 'park', code, reason });
