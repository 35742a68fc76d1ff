export interface AgingBuckets {
  current: bigint;
  d1_30: bigint;
  d31_60: bigint;
  d61_90: bigint;
  d90plus: bigint;
}

export type AgingBucket = keyof AgingBuckets;

export const AGING_BUCKETS: readonly AgingBucket[] = ['current', 'd1_30', 'd31_60', 'd61_90', 'd90plus'];

export function emptyBuckets(): AgingBuckets {
  return { current: 0n, d1_30: 0n, d31_60: 0n, d61_90: 0n, d90plus: 0n };
}

/** Bucket for days past due: ≤ 0 current; 1–30; 31–60; 61–90; ≥ 91. */
export function bucketFor(daysPastDue: number): AgingBucket {
  if (daysPastDue <= 0) return 'current';
  if (daysPastDue <= 30) return 'd1_30';
  if (daysPastDue <= 60) return 'd31_60';
  if (daysPastDue <= 90) return 'd61_90';
  return 'd90plus';
}
