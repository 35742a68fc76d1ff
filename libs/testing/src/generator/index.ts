/**
 * Deterministic generator of wire-contract v1 billing events (see types.ts for the envelope).
 *
 *   for (const e of generateEvents({ seed: 42, customers: 100_000 })) producer.send(e.customerId, e);
 *   const small = generateHistory({ seed: 1, customers: 300 });          // demo / tests
 *   const bad = generateMalformed(50, 1, customerIdsWithCurrency(opts, 'EUR'));
 *
 * Same options ⇒ byte-identical output. Events are globally sorted by occurredAt (ties: customer
 * index), every customer's stream is valid in order, and the total is exactly
 * round(customers × eventsPerCustomer).
 */
export { createRng } from './rng';
export type { Rng } from './rng';
export { formatMinor, GENERATOR_CURRENCY_EXPONENTS } from './money';
export { generateEvents, generateHistory } from './events';
export { generateMalformed, MALFORMED_CODES } from './malformed';
export type { MalformedCode } from './malformed';
export { customerIdsWithCurrency, describeCustomer } from './customers';
export type { CustomerInfo, PayerProfile } from './customers';
export type { GeneratorOptions, MalformedMessage, WireEvent } from './types';
export { interleavePoison, POISON_KINDS } from './poison';
export type { PoisonKind, PoisonMessage, RawMessage } from './poison';
