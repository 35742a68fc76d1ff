export { createRng } from './rng';
export type { Rng } from './rng';
export { formatMinor, GENERATOR_CURRENCY_EXPONENTS } from './money';
export { generateEvents, generateHistory } from './events';
export { generateMalformed, MALFORMED_CODES } from './malformed';
export type { MalformedCode } from './malformed';
export { customerIdsWithCurrency, describeCustomer } from './customers';
export type { CustomerInfo, PayerProfile } from './customers';
export type { GeneratorOptions, MalformedMessage, WireEvent } from './types';
