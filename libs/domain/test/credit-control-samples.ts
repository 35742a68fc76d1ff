import { controlEvent, type ControlEvent } from '../src/control/control-events';

const AT = '2026-03-01T10:00:00.000Z';

/** One of each credit-control event, in CREDIT_CONTROL_EVENT_TYPES order (round-trip and alert tests). */
export const CREDIT_CONTROL_SAMPLES: ControlEvent[] = [
  controlEvent('LimitChangeRequested', 'limit-request:C-1:LR-1', 'C-1', AT, {
    requestId: 'LR-1',
    newLimit: 12000000n,
    currentLimit: 5000000n,
    reason: 'seasonal orders',
    by: 'carl',
    byRole: 'credit-analyst',
    required: ['finance-manager'],
    expiresAt: '2026-03-15T10:00:00.000Z',
  }),
  controlEvent('LimitChangeApproved', 'limit-approval:C-1:LR-1:fiona', 'C-1', AT, {
    requestId: 'LR-1',
    by: 'fiona',
    role: 'finance-manager',
  }),
  controlEvent('LimitChangeRejected', 'limit-rejected:C-1:LR-2', 'C-1', AT, {
    requestId: 'LR-2',
    by: 'cleo',
    role: 'cfo',
    reason: 'too risky',
  }),
  controlEvent('LimitChangeExpired', 'limit-expired:C-1:LR-3', 'C-1', AT, {
    requestId: 'LR-3',
    expiresAt: AT,
  }),
  controlEvent('CreditLimitChanged', 'limit-changed:C-1:LR-1', 'C-1', AT, {
    creditLimit: 12000000n,
    previousLimit: 5000000n,
    cause: 'request',
    requestId: 'LR-1',
    by: 'fiona',
    reason: 'seasonal orders',
  }),
  controlEvent('TemporaryLimitGranted', 'temporary-limit:C-1:t1', 'C-1', AT, {
    amount: 250000n,
    expiresAt: '2026-04-01T00:00:00.000Z',
    by: 'fiona',
    byRole: 'finance-manager',
    reason: 'trade fair',
  }),
  controlEvent('TemporaryLimitExpired', 'temporary-limit-expired:C-1:9', 'C-1', AT, {
    amount: 250000n,
    expiresAt: '2026-04-01T00:00:00.000Z',
  }),
  controlEvent('OrderRejected', 'order-rejected:C-1:SO-9', 'C-1', AT, {
    orderId: 'SO-9',
    by: 'carl',
    reason: 'no credit',
  }),
  controlEvent('CustomerBlacklisted', 'blacklisted:C-1:b1', 'C-1', AT, { reason: 'fraud', by: 'cleo' }),
  controlEvent('CustomerUnblacklisted', 'unblacklisted:C-1:b2', 'C-1', AT, { reason: 'cleared', by: 'cleo' }),
  controlEvent('ApprovalRequested', 'approval-request:C-1:T-1', 'C-1', AT, {
    requestId: 'T-1',
    kind: 'temporary',
    amount: 2000000n,
    currentLimit: 5000000n,
    validUntil: '2026-04-01T00:00:00.000Z',
    orderId: null,
    grade: 'B',
    reason: 'trade fair',
    by: 'sam',
    byRole: 'sales-manager',
    required: ['finance-manager'],
    tier: 1,
  }),
  controlEvent('ApprovalGiven', 'approval-given:C-1:T-1:fiona', 'C-1', AT, {
    requestId: 'T-1',
    by: 'fiona',
    role: 'finance-manager',
  }),
  controlEvent('ApprovalRejected', 'approval-rejected:C-1:T-2', 'C-1', AT, {
    requestId: 'T-2',
    by: 'cleo',
    role: 'cfo',
    reason: 'too risky',
  }),
  controlEvent('ApprovalCompleted', 'approval-completed:C-1:T-1', 'C-1', AT, {
    requestId: 'T-1',
    kind: 'temporary',
    approvedBy: ['fiona'],
    approvedRoles: ['finance-manager'],
  }),
  controlEvent('ApprovalReminderSent', 'approval-reminder:C-1:T-3:1', 'C-1', AT, {
    requestId: 'T-3',
    kind: 'freeze',
    reminder: 1,
    missing: ['sales-manager', 'finance-clerk'],
    requestedAt: '2026-02-28T10:00:00.000Z',
  }),
  controlEvent('ApprovalEscalated', 'approval-escalated:C-1:T-3:1', 'C-1', AT, {
    requestId: 'T-3',
    kind: 'freeze',
    tier: 1,
    required: ['finance-manager'],
    reminders: 3,
  }),
  controlEvent('ApprovalExpired', 'approval-expired:C-1:T-3', 'C-1', AT, {
    requestId: 'T-3',
    kind: 'freeze',
    reminders: 9,
    missing: ['cfo|general-manager'],
  }),
];
