import type { FACTOR_NAMES } from './policy';

export type FactorName = (typeof FACTOR_NAMES)[number];

export interface FactorScore {
  factor: FactorName;
  /** Inputs behind the value (amounts as formatted decimals in the customer's currency). */
  raw: Record<string, string | number>;
  /** Integer 0..100. */
  normalised: number;
  weight: number;
  /** weight × normalised, in hundredths of a score point. */
  contribution: number;
}

export interface Rating {
  /** Integer 0..100. */
  score: number;
  grade: string;
  policyVersion: number;
  /** Instant the rating is for (normalised ISO). */
  at: string;
  /** In the order punctuality, overdue, volume, tenure, disputes. */
  factors: FactorScore[];
}
