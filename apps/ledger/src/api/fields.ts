import 'reflect-metadata';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, DECORATORS, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ValidateIf, registerDecorator, type ValidationArguments } from 'class-validator';
import { isValidDate, normaliseInstant } from '@credit-ledger/domain';

/**
 * The field kinds of the API's request bodies and query strings. A DTO declares each field once with one of the
 * decorators below; that one declaration is read by validation (class-validator, through ApiValidationPipe), by
 * the OpenAPI document (@nestjs/swagger) and by the security suite (which fills each field with its example and
 * then with injection strings). Every refusal is a 400 whose message names the field.
 *
 * Free text is plain text only (no markup, quotes, braces or SQL comment/statement markers): reasons end up in
 * alerts, CSV reports and other systems' screens, so nothing there may be code.
 */
export const ID_RE = /^[A-Za-z0-9._:/-]{1,128}$/;
export const ID_RULE = '1-128 characters of A-Z a-z 0-9 . _ : / -';
const AMOUNT_RE = /^\d{1,20}(\.\d{1,6})?$/;
/** Letters of any script, digits, spaces and . , : ' ( ) / & % # + ! ? @ - ; 1-512 characters. */
const REASON_RE = /^[\p{L}\p{N} .,:'()/&%#+!?@-]{1,512}$/u;
export const REASON_RULE =
  "1-512 characters of letters, digits, spaces and . , : ' ( ) / & % # + ! ? @ - (no '--')";
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;
const INSTANT_RULE = 'an ISO-8601 date or timestamp like 2026-03-31T23:59:59Z';

const API_DTO = 'credit-ledger:api-dto';

/** Marks a class as an API body or query DTO: ApiValidationPipe validates only these (the field decorators mark it). */
export const ApiDto = (): ClassDecorator => (target) => Reflect.defineMetadata(API_DTO, true, target);

export function isApiDto(type: unknown): type is new () => object {
  return typeof type === 'function' && Reflect.getMetadata(API_DTO, type) === true;
}

export function clip(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}

/** How a refused value is quoted back: strings clipped, other values by their JSON type. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(clip(v));
  if (v === null) return 'null';
  return Array.isArray(v) ? 'an array' : typeof v;
}

/** What is wrong with a value ("must be …, got …"), or null when it is fine. */
type Check = (value: unknown) => string | null;

/** A class-validator rule from a check: the message is `<field> <what is wrong>`. */
function rule(name: string, check: Check): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => check(value) === null,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? String(propertyName)} ${check(args?.value) ?? 'is invalid'}`,
      },
    });
}

const text =
  (test: (s: string) => boolean, what: string): Check =>
  (v) =>
    typeof v !== 'string'
      ? `must be a string, got ${show(v)}`
      : test(v)
        ? null
        : `must be ${what}, got ${show(v)}`;

export interface FieldOptions {
  /** Absent is allowed (null is not: it is refused like any other non-string). Default: required. */
  optional?: boolean;
  description?: string;
  /** A valid value: shown in the OpenAPI document and sent by the security suite as the field's good value. */
  example?: unknown;
}

/** The kind's rule, then what this field is for. */
const note = (rule: string, opts: FieldOptions): string =>
  opts.description ? `${opts.description} (${rule})` : rule;

/** Marks the class, documents the field and checks presence, then the field's own rule. */
function field(
  kind: string,
  check: Check,
  opts: FieldOptions,
  schema: ApiPropertyOptions,
): PropertyDecorator {
  const presence: PropertyDecorator = opts.optional
    ? ValidateIf((_, v) => v !== undefined)
    : rule('present', (v) => (v === undefined ? 'is required' : null));
  return applyDecorators(
    (target: object) => ApiDto()((target as { constructor: () => void }).constructor),
    ApiProperty({
      ...schema,
      required: !opts.optional,
      description: schema.description ?? opts.description,
      ...(opts.example !== undefined ? { example: opts.example } : {}),
    } as ApiPropertyOptions),
    presence,
    rule(kind, check),
  ) as PropertyDecorator;
}

/** An id (customer, order, request): 1-128 characters of A-Z a-z 0-9 . _ : / -. */
export const IdField = (opts: FieldOptions = {}) =>
  field(
    'id',
    text((s) => ID_RE.test(s), ID_RULE),
    { example: 'C-000001', ...opts },
    { type: String, pattern: ID_RE.source, minLength: 1, maxLength: 128 },
  );

/** A decimal amount in major units; the customer's currency decides how many decimals it may have. */
export const AmountField = (opts: FieldOptions = {}) =>
  field(
    'amount',
    text((s) => AMOUNT_RE.test(s), 'a decimal amount like "1250.00"'),
    { example: '120000.00', ...opts },
    {
      type: String,
      pattern: AMOUNT_RE.source,
      description: note("decimal major units, at most the customer's currency digits", opts),
    },
  );

/** Plain text: REASON_RULE. */
export const ReasonField = (opts: FieldOptions = {}) =>
  field(
    'reason',
    text((s) => REASON_RE.test(s) && !s.includes('--') && s.trim() !== '', REASON_RULE),
    { example: 'annual review', ...opts },
    {
      type: String,
      minLength: 1,
      maxLength: 512,
      description: note(REASON_RULE, opts),
    },
  );

/** ISO-8601 date (midnight UTC) or timestamp with zone, normalised to ISO-8601 UTC before the handler sees it. */
function bodyInstant(v: unknown): unknown {
  if (typeof v !== 'string' || v.length > 40) return v;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) && isValidDate(v) ? `${v}T00:00:00.000Z` : normaliseInstant(v);
  return iso ?? v;
}

const UTC_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const InstantField = (opts: FieldOptions = {}) =>
  applyDecorators(
    Transform(({ value }) => bodyInstant(value), { toClassOnly: true }),
    field(
      'instant',
      text((s) => UTC_ISO.test(s), INSTANT_RULE),
      { example: '2030-01-01T00:00:00Z', ...opts },
      { type: String, format: 'date-time', description: note('ISO-8601 date or timestamp with zone', opts) },
    ),
  );

/** A JSON object checked by the domain (a whole grading policy). */
export const PolicyField = (opts: FieldOptions = {}) =>
  field(
    'policy',
    (v) =>
      typeof v === 'object' && v !== null && !Array.isArray(v)
        ? null
        : 'must be a JSON object (a whole grading policy)',
    { example: {}, ...opts },
    {
      type: 'object',
      additionalProperties: true,
      description: note('a whole grading policy (see GET /policy)', opts),
    },
  );

// ---- query-string fields: every value arrives as a string ----

/**
 * An ISO-8601 date or timestamp in a query string, normalised. A bare date means the start or the end of that
 * day (UTC): "as of 31 March" and "to 31 March" include 31 March, "from 1 March" starts at its midnight.
 */
export function queryInstant(raw: string, bareDate: 'start' | 'end'): string | null {
  const t = Date.parse(raw);
  if (!ISO_INSTANT.test(raw) || Number.isNaN(t)) return null;
  const endOfDay = raw.length === 10 && bareDate === 'end';
  return new Date(endOfDay ? t + 86_400_000 - 1 : t).toISOString();
}

export const QueryInstantField = (bareDate: 'start' | 'end', opts: FieldOptions = {}) =>
  applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? (queryInstant(value, bareDate) ?? value) : value), {
      toClassOnly: true,
    }),
    field(
      'instant',
      text((s) => UTC_ISO.test(s), INSTANT_RULE),
      { optional: true, example: '2026-03-31', ...opts },
      {
        type: String,
        description: note(
          `ISO-8601 date or timestamp; a bare date means the ${bareDate} of that day (UTC)`,
          opts,
        ),
      },
    ),
  );

/** A whole number from min to max; absent means the DTO's default. */
export const IntField = (min: number, max: number, opts: FieldOptions = {}) =>
  applyDecorators(
    Transform(({ value }) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value), {
      toClassOnly: true,
    }),
    field(
      'int',
      (v) =>
        typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
          ? null
          : `must be an integer from ${min} to ${max}; got ${show(typeof v === 'number' ? String(v) : v)}`,
      { optional: true, ...opts },
      { type: 'integer', minimum: min, maximum: max },
    ),
  );

/** One of a fixed set of words. */
export const OneOfField = (values: readonly string[], opts: FieldOptions = {}) =>
  field(
    'one-of',
    (v) =>
      typeof v === 'string' && values.includes(v)
        ? null
        : `must be one of ${values.join(', ')}; got ${show(v)}`,
    { example: values[0], ...opts },
    { type: String, enum: [...values] },
  );

/** A string matching `re`, described as `what`. */
export const PatternField = (re: RegExp, what: string, opts: FieldOptions = {}) =>
  field(
    'pattern',
    text((s) => re.test(s), what),
    opts,
    { type: String, pattern: re.source },
  );

export interface DeclaredField {
  name: string;
  required: boolean;
  /** The documented good value (the security suite sends it). */
  example: unknown;
}

/** The fields a DTO declares, in declaration order, as the OpenAPI document sees them. */
export function declaredFields(dto: new () => object): DeclaredField[] {
  const names = (Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, dto.prototype) ?? []) as string[];
  return names.map((key) => {
    const name = key.slice(1);
    const meta = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, dto.prototype, name) as {
      required?: boolean;
      example?: unknown;
    };
    return { name, required: meta.required !== false, example: meta.example };
  });
}
