/** Field readers for a stored payload; each throws (via `bad`) on a wrong shape. */
export interface StoredFields {
  str(k: string): string;
  strOrNull(k: string): string | null;
  int(k: string): number;
  intOrNull(k: string): number | null;
  amount(k: string): bigint;
  strings(k: string): string[];
  bad(what: string): never;
  /** Whether the payload has the field (optional fields added after events were stored). */
  has(k: string): boolean;
}
