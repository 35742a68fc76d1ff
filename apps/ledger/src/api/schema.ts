import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/**
 * Property decorators for response DTOs: each names the JSON type once, so a response class reads like the shape
 * it documents. Response DTOs `implements` the view type the handler returns, so the compiler keeps them in step
 * with the code; the OpenAPI test checks them against real responses.
 */
export const Text = (description?: string) => ApiProperty({ type: String, description });
export const TextOrNull = (description?: string) =>
  ApiProperty({ type: String, nullable: true, description });
export const Texts = (description?: string) => ApiProperty({ type: String, isArray: true, description });
export const Amount = (description?: string) =>
  ApiProperty({ type: String, example: '1250.00', description: description ?? 'decimal major units' });
export const Instant = (description?: string) =>
  ApiProperty({ type: String, format: 'date-time', description });
export const InstantOrNull = (description?: string) =>
  ApiProperty({ type: String, format: 'date-time', nullable: true, description });
/** An unsigned 64-bit integer (a ledger sequence, an offset, a lag) as a decimal string. */
export const BigText = (description?: string) =>
  ApiProperty({ type: String, pattern: '^\\d+$', example: '42', description });
export const Int = (description?: string) => ApiProperty({ type: 'integer', description });
export const IntOrNull = (description?: string) =>
  ApiProperty({ type: 'integer', nullable: true, description });
export const Num = (description?: string) => ApiProperty({ type: Number, description });
export const NumOrNull = (description?: string) => ApiProperty({ type: Number, nullable: true, description });
export const Flag = (description?: string) => ApiProperty({ type: Boolean, description });
export const OneOf = (values: readonly string[], description?: string) =>
  ApiProperty({ type: String, enum: [...values], description });
export const One = (type: Type<unknown>, description?: string) => ApiProperty({ type, description });
export const OneOrNull = (type: Type<unknown>, description?: string) =>
  ApiProperty({ type, nullable: true, description });
export const Many = (type: Type<unknown>, description?: string) =>
  ApiProperty({ type, isArray: true, description });
/** A JSON object whose keys are data (event payloads, job data). */
export const AnyObject = (description?: string) =>
  ApiProperty({ type: 'object', additionalProperties: true, description });

/** Every error: `{ statusCode, error, message }`; the message names the field or parameter at fault. */
export class ErrorResponse {
  @Int() statusCode!: number;
  @Text('HTTP reason phrase') error!: string;
  @Text('what is wrong, naming the field or parameter') message!: string;
}

/** An event a command appended. */
export class AppendedEventResponse {
  @BigText('global ledger sequence') sequence!: string;
  @Text() type!: string;
  @Text() eventId!: string;
}

/** The inputs behind a rating factor: names to numbers or decimal amounts. */
export const FactorInputs = () =>
  ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }] },
    description: "inputs behind the value (amounts as decimals in the customer's currency)",
  });
