/**
 * Every PostgreSQL advisory lock id the project takes, in one place: two holders sharing an id would wait for (or
 * refuse) each other for no reason — a rebuild once reported "another rebuild is running" while the alert relay held
 * its lock. A unit test keeps the ids distinct.
 */
export const ADVISORY_LOCKS = {
  /** Appends hold it shared; policy adoption, a rebuild's swap and a settled head take it exclusive. */
  append: 7_303_001,
  /** One rebuild at a time (session lock). */
  rebuild: 7_303_002,
  /** One alert relay publishes at a time (transaction lock). */
  alertRelay: 7_303_004,
  /** One dead-letter relay publishes at a time (transaction lock). */
  deadLetterRelay: 7_303_003,
} as const;
