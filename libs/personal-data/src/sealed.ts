import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { ERASED_VALUE } from '@credit-ledger/domain';

/**
 * The sealed form of one personal value, a plain string that travels wherever the value would (events, states,
 * raw bytes, DLQ letters): `pd1|<customerId>|<dataKeyVersion>|<iv>|<ciphertext+tag>`, the customer id and the
 * binary parts base64url. AES-256-GCM under the customer's data key, the customer id and key version as
 * associated data (a value moved to another customer does not open).
 *
 * The IV is derived from the value (HMAC under a second key from the same data key), so the same value sealed
 * twice is the same string: a redelivered event has the same content hash and stays a duplicate. IVs repeat only
 * for equal values, which then give equal ciphertexts (the deterministic, SIV-like use of GCM); what that shows is
 * that two of one customer's values are equal.
 */
export const SEALED_PREFIX = 'pd1|';
/** Where a value arrived after its customer was forgotten, or is shown after the key is gone. */
export const ERASED = ERASED_VALUE;
/** Shown instead of a value the reader's role may not see. */
export const RESTRICTED = '[restricted]';

/** One sealed value anywhere in a text (JSON strings and raw message bytes alike). */
export const SEALED_PATTERN = /pd1\|([A-Za-z0-9_-]+)\|(\d{1,6})\|([A-Za-z0-9_-]{16})\|([A-Za-z0-9_-]{22,})/g;

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A customer's data key, unwrapped: the two subkeys derived from it. */
export class DataKey {
  readonly #enc: Buffer;
  readonly #iv: Buffer;

  constructor(
    readonly customerId: string,
    readonly version: number,
    material: Buffer,
  ) {
    this.#enc = Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'pd1 enc', 32));
    this.#iv = Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'pd1 iv', 32));
  }

  static generate(): Buffer {
    return randomBytes(32);
  }

  /** The field's name is sealed with the value, so an opener learns which field it holds (roles, access log). */
  seal(value: string, field: string): string {
    const plain = Buffer.from(`${field}\n${value}`, 'utf8');
    const iv = createHmac('sha256', this.#iv).update(plain).digest().subarray(0, IV_BYTES);
    const c = createCipheriv('aes-256-gcm', this.#enc, iv);
    c.setAAD(aad(this.customerId, this.version));
    const body = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
    return `${SEALED_PREFIX}${b64(Buffer.from(this.customerId, 'utf8'))}|${this.version}|${b64(iv)}|${b64(body)}`;
  }

  /** The field and value, or null when the token was not sealed under this key (or was altered). */
  open(token: SealedToken): OpenedValue | null {
    if (token.customerId !== this.customerId || token.keyVersion !== this.version) return null;
    try {
      const d = createDecipheriv('aes-256-gcm', this.#enc, token.iv);
      d.setAAD(aad(this.customerId, this.version));
      d.setAuthTag(token.body.subarray(token.body.length - TAG_BYTES));
      const plain = Buffer.concat([
        d.update(token.body.subarray(0, token.body.length - TAG_BYTES)),
        d.final(),
      ]).toString('utf8');
      const cut = plain.indexOf('\n');
      return { field: plain.slice(0, cut), value: plain.slice(cut + 1) };
    } catch {
      return null;
    }
  }

  toJSON(): string {
    return `[data key of ${this.customerId}]`;
  }
}

export interface OpenedValue {
  field: string;
  value: string;
}

export interface SealedToken {
  text: string;
  customerId: string;
  keyVersion: number;
  iv: Buffer;
  body: Buffer;
}

/** The parts of a sealed value, or null when `text` is not exactly one. */
export function parseSealed(text: string): SealedToken | null {
  if (!text.startsWith(SEALED_PREFIX)) return null;
  const m = new RegExp(`^${SEALED_PATTERN.source}$`).exec(text);
  return m ? tokenOf(m) : null;
}

/** Every sealed value in a text, in order. */
export function findSealed(text: string): SealedToken[] {
  if (!text.includes(SEALED_PREFIX)) return [];
  return [...text.matchAll(SEALED_PATTERN)].map(tokenOf);
}

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && parseSealed(value) !== null;
}

function tokenOf(m: RegExpMatchArray): SealedToken {
  return {
    text: m[0],
    customerId: Buffer.from(m[1], 'base64url').toString('utf8'),
    keyVersion: Number(m[2]),
    iv: Buffer.from(m[3], 'base64url'),
    body: Buffer.from(m[4], 'base64url'),
  };
}

function aad(customerId: string, version: number): Buffer {
  return Buffer.from(`pd1|${customerId}|${version}`, 'utf8');
}

const b64 = (b: Buffer): string => b.toString('base64url');
