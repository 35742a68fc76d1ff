import { DomainError } from '../errors';

export type Json = Record<string, unknown>;

/** Reads a stored state's JSON, failing with BAD_STATE and the path on the first field of the wrong kind. */
export class StateReader {
  constructor(private readonly path: string) {}
  fail(msg: string): never {
    throw new DomainError('BAD_STATE', `${this.path}: ${msg}`);
  }
  obj(v: unknown, what: string): Json {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(`${what} is not an object`);
    return v as Json;
  }
  arr(v: unknown, what: string): unknown[] {
    if (!Array.isArray(v)) this.fail(`${what} is not an array`);
    return v;
  }
  str(o: Json, k: string): string {
    if (typeof o[k] !== 'string') this.fail(`${k} is not a string`);
    return o[k] as string;
  }
  strOrNull(o: Json, k: string): string | null {
    return o[k] === null || o[k] === undefined ? null : this.str(o, k);
  }
  num(o: Json, k: string): number {
    if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) this.fail(`${k} is not a number`);
    return o[k] as number;
  }
  bool(o: Json, k: string): boolean {
    if (typeof o[k] !== 'boolean') this.fail(`${k} is not a boolean`);
    return o[k] as boolean;
  }
  big(o: Json, k: string): bigint {
    const v = o[k];
    if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
    if (typeof v === 'bigint') return v;
    return this.fail(`${k} is not an integer string`);
  }
  bigOrNull(o: Json, k: string): bigint | null {
    return o[k] === null || o[k] === undefined ? null : this.big(o, k);
  }
  intOrNull(o: Json, k: string): number | null {
    const v = o[k];
    if (v === null || v === undefined) return null;
    return Number.isSafeInteger(v) ? (v as number) : this.fail(`${k} is not an integer`);
  }
  boolOrNull(o: Json, k: string): boolean | null {
    const v = o[k];
    if (v === null || v === undefined) return null;
    return typeof v === 'boolean' ? v : this.fail(`${k} is not a boolean`);
  }
  strings(o: Json, k: string): string[] {
    const v = o[k];
    if (!Array.isArray(v) || v.some((e) => typeof e !== 'string')) this.fail(`${k} is not a list of strings`);
    return (v as string[]).slice();
  }
  /** An absent list is empty. */
  list(o: Json, k: string): unknown[] {
    if (o[k] === undefined) return [];
    return this.arr(o[k], k);
  }
}
