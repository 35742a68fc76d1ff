/** Error raised by the pure domain for programming errors and invalid input to domain functions. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Why an event was rejected (final) or parked (waits for another event). */
export const REJECT_CODES = [
  'BAD_JSON',
  'NOT_AN_OBJECT',
  'UNKNOWN_TYPE',
  'UNSUPPORTED_VERSION',
  'MISSING_FIELD',
  'BAD_FIELD',
  'BAD_AMOUNT',
  'UNKNOWN_CURRENCY',
  'KEY_MISMATCH',
  'CURRENCY_MISMATCH',
  'UNKNOWN_INVOICE',
  'UNKNOWN_PAYMENT',
  'UNKNOWN_ORDER',
  'UNKNOWN_CUSTOMER',
  'DUPLICATE_ID',
  'OVER_ALLOCATION',
  'INVALID_STATE',
  // Robustness (README, Guarantees): bytes that cannot be text, figures out of range, a key re-sent with other
  // content, an instant too far ahead, and an event the database refused (isolated so the rest flows on).
  'BAD_ENCODING',
  'AMOUNT_OUT_OF_RANGE',
  'DUPLICATE_CONFLICT',
  'FUTURE_EVENT',
  'APPEND_FAILED',
] as const;

export type RejectCode = (typeof REJECT_CODES)[number];
