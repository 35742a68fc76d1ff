import { DEFAULT_GRADE_POLICY, summariseWhatIf } from '@credit-ledger/domain';
import { renderApprovalEffects } from './policy';

describe('policy simulate: the approval effects it prints', () => {
  it('says what moves and who adopts the draft', () => {
    const a = summariseWhatIf([], DEFAULT_GRADE_POLICY, DEFAULT_GRADE_POLICY).approvals;
    a.pendingBlocked = 2;
    a.customersRoutedDifferently = 1;
    a.routesBefore = { 'sales-manager + finance-clerk': 3 };
    a.routesAfter = { 'sales-manager + finance-clerk': 2, 'sales-manager|finance-clerk': 1 };
    expect(renderApprovalEffects(a).split('\n')).toEqual([
      'approvals: 2 pending request(s) stopped by a cash-only grade, 0 let through; 1 customer(s) routed to other approvers',
      '  routes now:   3 × sales-manager + finance-clerk',
      '  routes after: 2 × sales-manager + finance-clerk; 1 × sales-manager|finance-clerk',
      '  held orders needing an order-release approval: 0 → 0',
      '  adopting it: proposed by admin or cfo, approved by cfo|general-manager',
      '',
    ]);
  });
});
