import {
  creditControlReview,
  dormantLimit,
  freezeDecision,
  overdueNotices,
  rerate,
} from '@credit-ledger/domain';
import type { JobName, JobTrigger } from '@credit-ledger/jobs';
import type { ControlRule } from '@credit-ledger/ledger-store';

/** The pure domain rule each job applies to every customer in its chunks, at instant `at`. */
export function ruleFor(job: JobName, at: string, trigger: JobTrigger): ControlRule {
  switch (job) {
    case 'overdue-scan':
      return (state, policy) => overdueNotices(state, at, policy);
    case 'freeze-review':
      return (state, policy) => freezeDecision(state, at, policy);
    case 'dormant-limit-review':
      return (state, policy) => dormantLimit(state, at, policy);
    case 'rerate-customers':
      return (state, policy) => rerate(state, at, policy, trigger === 'manual' ? 'manual' : 'scheduled');
    case 'credit-control-review':
      return (state, policy) => creditControlReview(state, at, policy);
  }
}

/**
 * Which customers a job needs to look at (the rule decides; this only skips those it cannot concern):
 * the projection's columns are enough to rule most customers out without loading their state.
 */
export const CANDIDATES: Record<JobName, string> = {
  'overdue-scan': 'open_receivables > 0',
  'freeze-review': "open_receivables > 0 OR status = 'frozen'",
  'dormant-limit-review': 'credit_limit > 0 AND exposure = 0',
  'rerate-customers': 'TRUE',
  // Same candidates as POST /control/review (runCreditReview).
  'credit-control-review': `credit_limit > 0 OR state LIKE '%"limitRequests"%' OR state LIKE '%"temporaryLimit"%' OR state LIKE '%"limitRepair"%'`,
};
