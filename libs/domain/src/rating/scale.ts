/** Integer ratio a/b (both >= 0, b > 0) scaled by 100, floored, as a number. */
export function pct(a: bigint, b: bigint): number {
  return Number((100n * a) / b);
}

export function clamp(n: number): number {
  return n < 0 ? 0 : n > 100 ? 100 : n;
}

/** n/d rounded half-up to one decimal, for n, d >= 0 integers, d > 0. */
export function oneDecimal(n: number, d: number): number {
  return Math.floor((n * 20 + d) / (2 * d)) / 10;
}

/** floor(a / b) for b > 0 (bigint division truncates towards zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
}

/** Largest ratio kept (in basis points): a tiny denominator must not make an unbounded number. */
const MAX_BP = 100_000_000n;

/** a / b in basis points (1 = 0.0001), floored, capped at ±MAX_BP; b > 0. */
export function ratioBp(a: bigint, b: bigint): number {
  const bp = floorDiv(a * 10000n, b);
  return Number(bp > MAX_BP ? MAX_BP : bp < -MAX_BP ? -MAX_BP : bp);
}

/** Basis points as a decimal ratio with four decimals: 18000 -> "1.8000", -50 -> "-0.0050". */
export function bpText(bp: number): string {
  const negative = bp < 0;
  const abs = Math.abs(bp);
  const text = `${Math.floor(abs / 10000)}.${String(abs % 10000).padStart(4, '0')}`;
  return negative ? `-${text}` : text;
}

/** A linear scale from `zeroAt` (0) to `fullAt` (100), either way round, clamped; integer math, floored. */
export function onRamp(value: number, ramp: { zeroAt: number; fullAt: number }): number {
  const { zeroAt, fullAt } = ramp;
  const span = fullAt - zeroAt;
  const along = (value - zeroAt) * Math.sign(span);
  if (along <= 0) return 0;
  if (along >= Math.abs(span)) return 100;
  return Math.floor((100 * along) / Math.abs(span));
}

/** min(100, floor(100 × value / target)) for value >= 0, target > 0. */
export function toTarget(value: bigint, target: bigint): number {
  return value >= target ? 100 : pct(value, target);
}

/** floor(sqrt(n)) for n >= 0 (Newton's method on bigints: exact for any size). */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = n;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + n / x) / 2n;
  }
  return x;
}

/**
 * min(100, floor(100 × sqrt(value / target))) for value >= 0, target > 0: diminishing returns, so a customer
 * buying a quarter of the target earns half the marks rather than a quarter.
 */
export function toTargetSqrt(value: bigint, target: bigint): number {
  if (value >= target) return 100;
  return Number(isqrt((10000n * value) / target));
}
