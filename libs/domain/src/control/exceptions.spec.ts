import { controlEvent } from './control-events';
import { exceptionOf } from './exceptions';

const AT = '2026-03-01T10:00:00.000Z';

describe('exceptions', () => {
  it('names who, why and the amount of each exception', () => {
    expect(
      exceptionOf(
        controlEvent('CreditBypassDetected', 'b', 'C-1', AT, {
          invoiceId: 'I-1',
          source: 'billing-eu',
          orderId: null,
          reason: 'frozen',
          amount: 120000n,
          exposure: 500000n,
          effectiveLimit: 1000000n,
        }),
      ),
    ).toEqual({ kind: 'bypass', by: 'billing-eu', reason: 'frozen', amount: 120000n, reference: 'I-1' });
    expect(
      exceptionOf(
        controlEvent('OrderReleased', 'r', 'C-1', AT, {
          orderId: 'O-1',
          releasedBy: 'carl',
          reason: 'prepaid',
        }),
      ),
    ).toEqual({ kind: 'manual-release', by: 'carl', reason: 'prepaid', amount: null, reference: 'O-1' });
    expect(
      exceptionOf(
        controlEvent('TemporaryLimitGranted', 't', 'C-1', AT, {
          amount: 40000n,
          expiresAt: AT,
          by: 'fiona',
          byRole: 'finance-manager',
          reason: 'fair',
        }),
      ),
    ).toEqual({ kind: 'temporary-limit', by: 'fiona', reason: 'fair', amount: 40000n, reference: null });
    expect(
      exceptionOf(
        controlEvent('CustomerFrozen', 'f', 'C-1', AT, { reason: 'visit', invoiceIds: [], by: 'carl' }),
      ),
    ).toMatchObject({ kind: 'manual-freeze', by: 'carl' });
    expect(
      exceptionOf(controlEvent('CustomerUnblacklisted', 'u', 'C-1', AT, { reason: 'paid', by: 'cleo' })),
    ).toMatchObject({ kind: 'unblacklist', by: 'cleo', reason: 'paid' });
  });

  it('leaves out the rules at work: automatic releases and the system freeze', () => {
    expect(
      exceptionOf(
        controlEvent('OrderReleased', 'r', 'C-1', AT, { orderId: 'O-1', releasedBy: 'auto', reason: 'x' }),
      ),
    ).toBeNull();
    expect(
      exceptionOf(controlEvent('CustomerUnfrozen', 'u', 'C-1', AT, { reason: 'cleared', by: 'system' })),
    ).toBeNull();
    expect(
      exceptionOf(
        controlEvent('LimitBreached', 'l', 'C-1', AT, {
          thresholdPct: 90,
          exposure: 1n,
          creditLimit: 1n,
          causeEventId: 'e',
        }),
      ),
    ).toBeNull();
  });
});
