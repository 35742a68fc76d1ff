import { BadRequestException, SetMetadata } from '@nestjs/common';
import { isValidDate, normaliseInstant } from '@credit-ledger/domain';
import { clip } from '../customers/query-params';

/**
 * Request-body checks for the control API: every field is declared, unknown ones are refused, and each check
 * answers 400 naming the field. Free text is plain text only (no markup, quotes, braces or SQL comment/statement
 * markers): reasons end up in alerts, CSV reports and other systems' screens, so nothing there may be code.
 */
export type FieldKind = 'id' | 'amount' | 'reason' | 'instant' | 'policy';

export interface FieldSpec {
  kind: FieldKind;
  required: boolean;
}

export type BodySpec = Record<string, FieldSpec>;

export const ID_RE = /^[A-Za-z0-9._:/-]{1,128}$/;
const AMOUNT_RE = /^\d{1,20}(\.\d{1,6})?$/;
/** Letters of any script, digits, spaces and . , : ' ( ) / & % # + ! ? @ - ; 1-512 characters. */
const REASON_RE = /^[\p{L}\p{N} .,:'()/&%#+!?@-]{1,512}$/u;
export const REASON_RULE =
  "1-512 characters of letters, digits, spaces and . , : ' ( ) / & % # + ! ? @ - (no '--')";

export const BODY_KEY = 'credit-ledger:body';
/** Declares a handler's body fields, for the OpenAPI document and the security suite (parseBody checks them). */
export const BodyFields = (spec: BodySpec) => SetMetadata(BODY_KEY, spec);

export const req = (kind: FieldKind): FieldSpec => ({ kind, required: true });
export const opt = (kind: FieldKind): FieldSpec => ({ kind, required: false });

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(clip(v));
  if (v === null) return 'null';
  return Array.isArray(v) ? 'an array' : typeof v;
}

export type ParsedBody = Record<string, string | Record<string, unknown> | undefined>;

/** Checks `body` against `spec`; returns the fields (instants normalised to ISO-8601 UTC). */
export function parseBody(body: unknown, spec: BodySpec): ParsedBody {
  const input = body === undefined || body === null ? {} : body;
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new BadRequestException('body must be a JSON object');
  }
  const o = input as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !Object.prototype.hasOwnProperty.call(spec, k));
  if (unknown.length) {
    throw new BadRequestException(
      `unknown field(s): ${unknown.map((k) => clip(k)).join(', ')}; allowed: ${Object.keys(spec).join(', ') || 'none'}`,
    );
  }
  const out: ParsedBody = {};
  for (const [name, f] of Object.entries(spec)) {
    const v = o[name];
    if (v === undefined) {
      if (f.required) throw new BadRequestException(`${name} is required`);
      continue;
    }
    out[name] = checkField(name, f.kind, v);
  }
  return out;
}

function checkField(name: string, kind: FieldKind, v: unknown): string | Record<string, unknown> {
  if (kind === 'policy') {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new BadRequestException(`${name} must be a JSON object (a whole grading policy)`);
    return v as Record<string, unknown>;
  }
  if (typeof v !== 'string') throw new BadRequestException(`${name} must be a string, got ${show(v)}`);
  switch (kind) {
    case 'id':
      if (!ID_RE.test(v))
        throw new BadRequestException(
          `${name} must be 1-128 characters of A-Z a-z 0-9 . _ : / -, got ${show(v)}`,
        );
      return v;
    case 'amount':
      if (!AMOUNT_RE.test(v))
        throw new BadRequestException(`${name} must be a decimal amount like "1250.00", got ${show(v)}`);
      return v;
    case 'reason':
      if (!REASON_RE.test(v) || v.includes('--') || v.trim() === '')
        throw new BadRequestException(`${name} must be ${REASON_RULE}, got ${show(v)}`);
      return v;
    case 'instant': {
      const iso =
        /^\d{4}-\d{2}-\d{2}$/.test(v) && isValidDate(v) ? `${v}T00:00:00.000Z` : normaliseInstant(v);
      if (iso === null || v.length > 40)
        throw new BadRequestException(
          `${name} must be an ISO-8601 date or timestamp like 2026-03-31T23:59:59Z, got ${show(v)}`,
        );
      return iso;
    }
  }
}

/** A path id (customer, order, request) or 400 naming it. */
export function pathId(name: string, raw: string): string {
  if (!ID_RE.test(raw))
    throw new BadRequestException(
      `${name} must be 1-128 characters of A-Z a-z 0-9 . _ : / -, got ${show(raw)}`,
    );
  return raw;
}
