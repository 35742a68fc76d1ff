import { DomainError } from './errors';

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit order, no whitespace, `undefined`
 * properties omitted, bigint written as a decimal string. Same value => same bytes.
 * Throws DomainError('NOT_CANONICAL') for values JSON cannot represent exactly
 * (non-finite numbers, functions, symbols, Map/Set, undefined array items).
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, out, []);
  return out.join('');
}

/**
 * The path of the value being written, as segments; turned into `$.a[0].b` only for an error message, so
 * the hot path (every state on every append) builds no strings for it.
 */
type Path = Array<string | number>;

function pathOf(path: Path): string {
  let s = '$';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : `.${p}`;
  return s;
}

/**
 * Characters JSON.stringify escapes: the quote, the backslash, controls, and surrogates (a lone one is escaped; a
 * string with any goes through JSON.stringify, which keeps a valid pair as it is). Every other string is written
 * between quotes as it is, byte for byte what JSON.stringify writes: this path writes every state on every append,
 * and most of its strings are ids, dates and decimal amounts.
 */
// eslint-disable-next-line no-control-regex -- the control characters are what must be escaped
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Object keys come from a small set (field names): each is quoted once. Bounded, in case keys are data. */
const quotedKeys = new Map<string, string>();
function quotedKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quotedKeys.size < 10_000) quotedKeys.set(k, q);
  }
  return q;
}

function write(value: unknown, out: string[], path: Path): void {
  switch (typeof value) {
    case 'string':
      out.push(NEEDS_ESCAPING.test(value) ? JSON.stringify(value) : `"${value}"`);
      return;
    case 'number':
      if (!Number.isFinite(value))
        throw new DomainError('NOT_CANONICAL', `${pathOf(path)}: ${value} is not finite`);
      // For a finite number, String() is what JSON.stringify writes (-0 as 0, 1e21 as 1e+21).
      out.push(String(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'bigint':
      out.push(`"${value.toString()}"`);
      return;
    case 'object':
      if (value === null) {
        out.push('null');
        return;
      }
      if (Array.isArray(value)) {
        out.push('[');
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out.push(',');
          path.push(i);
          if (value[i] === undefined) throw new DomainError('NOT_CANONICAL', `${pathOf(path)} is undefined`);
          write(value[i], out, path);
          path.pop();
        }
        out.push(']');
        return;
      }
      if (value instanceof Map || value instanceof Set) {
        throw new DomainError('NOT_CANONICAL', `${pathOf(path)}: Map/Set cannot be written as JSON`);
      }
      {
        const obj = value as Record<string, unknown>;
        const keys = Object.keys(obj).sort();
        out.push('{');
        let first = true;
        for (const k of keys) {
          const v = obj[k];
          if (v === undefined) continue;
          if (!first) out.push(',');
          first = false;
          out.push(quotedKey(k), ':');
          path.push(k);
          write(v, out, path);
          path.pop();
        }
        out.push('}');
      }
      return;
    default:
      throw new DomainError('NOT_CANONICAL', `${pathOf(path)}: ${typeof value} cannot be written as JSON`);
  }
}
