import { KEYS, LedgerHarness } from './support/ledger-harness';
import { onboarded, wire } from './support/wire';

const NOW = new Date('2026-04-15T12:00:00Z');

/** Every personal value these scenarios send: none may be found in clear in any table. */
const CLEAR = [
  'Sara Seller',
  'sara@seller.example',
  'ap@machinery.example',
  'ar@machinery.example',
  'Pat Parked',
  'pat@parked.example',
  'not-an-address@@bad',
  'rita@refused.example',
  'Ivy Individual',
  'X1234567',
  '1990-04-01',
  '48000.00',
  'ivy@home.example',
];

const IVY = {
  fullName: 'Ivy Individual',
  nationalId: 'X1234567',
  dateOfBirth: '1990-04-01',
  education: 'master',
  annualIncome: '48000.00',
  currency: 'EUR',
};

/** Every table the ledger writes, as text (states come out decompressed). */
const TABLES = [
  'ledger_events',
  'customer_positions',
  'grade_history',
  'parked_events',
  'rejected_events',
  'alert_outbox',
  'personal_data_keys',
];

async function tableText(h: LedgerHarness): Promise<string> {
  const parts: string[] = [];
  for (const t of TABLES) {
    const rows = await h.query<{ row: string }>(`SELECT x::text AS row FROM ${t} x`);
    parts.push(...rows.map((r) => r.row));
  }
  // bytea prints as hex above: the raw message bytes as text too
  for (const t of ['parked_events', 'rejected_events']) {
    const rows = await h.query<{ row: string }>(`SELECT encode(raw_value, 'escape') AS row FROM ${t}`);
    parts.push(...rows.map((r) => r.row));
  }
  return parts.join('\n');
}

/**
 * Personal data end to end on real parts (kafkajs → embedded broker → ledger → PostgreSQL → HTTP): sealed at
 * ingestion wherever it is stored, opened by role at read time, each read logged.
 */
describe('personal data: sealed at rest, opened by role, reads logged', () => {
  let h: LedgerHarness;

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => NOW });
    await h.publish([
      onboarded(
        'P-1',
        '2026-03-01T09:00:00Z',
        { name: 'Machinery Works GmbH', currency: 'EUR', creditLimit: '20000.00' },
        {
          customerType: 'enterprise',
          industry: 'C28.4',
          accountOwner: { id: 'S-7', name: 'Sara Seller', email: 'sara@seller.example' },
          contactEmail: 'ap@machinery.example',
        },
        'onb-P-1',
      ),
      wire('P-1', 'CustomerProfileUpdated', '2026-03-20T09:00:00Z', { contactEmail: 'ar@machinery.example' }),
      // An individual customer (seed 000 FAQ1): identity, education and income, all personal.
      onboarded(
        'I-1',
        '2026-03-01T09:00:00Z',
        { name: 'Account 4711', currency: 'EUR', creditLimit: '2000.00' },
        { customerType: 'individual', contactEmail: 'ivy@home.example', individual: IVY },
      ),
      // Parked: its customer is not onboarded (yet).
      wire('Q-1', 'CustomerProfileUpdated', '2026-03-20T09:00:00Z', {
        accountOwner: { id: 'S-9', name: 'Pat Parked', email: 'pat@parked.example' },
      }),
      // Refused: the reason would quote the bad address.
      wire('P-1', 'CustomerProfileUpdated', '2026-03-21T09:00:00Z', { contactEmail: 'not-an-address@@bad' }),
    ]);
    // Not even JSON: only the e-mail address can be found in it.
    await h.publishRaw([{ key: 'P-1', value: '{"contactEmail": "rita@refused.example", oops' }]);
    await h.waitForIngestion();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('stores no personal value in clear in any table', async () => {
    const text = await tableText(h);
    expect(text).toContain('Machinery Works GmbH'); // the company name is not personal data
    expect(text).toContain('pd1|');
    for (const clear of CLEAR) expect(text).not.toContain(clear);
    const rejected = await h.query<{ code: string; reason: string }>(
      'SELECT code, reason FROM rejected_events ORDER BY id',
    );
    expect(rejected.map((r) => r.code)).toEqual(['BAD_FIELD', 'BAD_JSON']);
    expect(rejected[0].reason).toMatch(/^payload\.contactEmail: "pd1\|[^"]+" is not an e-mail address$/);
    const parked = await h.query<{ customer_id: string }>('SELECT customer_id FROM parked_events');
    expect(parked).toEqual([{ customer_id: 'Q-1' }]);
  });

  it('gives each customer one wrapped data key', async () => {
    const keys = await h.query<{ customer_id: string; master_key_version: number; n: number }>(
      `SELECT customer_id, master_key_version, length(wrapped_key) AS n FROM personal_data_keys ORDER BY 1`,
    );
    // 12-byte IV, 32-byte key, 16-byte tag
    expect(keys).toEqual([
      { customer_id: 'I-1', master_key_version: 1, n: 60 },
      { customer_id: 'P-1', master_key_version: 1, n: 60 },
      { customer_id: 'Q-1', master_key_version: 1, n: 60 },
    ]);
  });

  it('opens the contacts for a credit analyst, not for a reader, and logs the analyst read', async () => {
    const analyst = await h.get('/customers/P-1/file', KEYS.analyst);
    expect(analyst.status).toBe(200);
    expect(analyst.body.contacts).toEqual({
      accountOwner: { id: 'S-7', name: 'Sara Seller', email: 'sara@seller.example' },
      contactEmail: 'ar@machinery.example',
    });
    const reader = await h.get('/customers/P-1/file', KEYS.reader);
    expect(reader.body.contacts).toEqual({
      accountOwner: { id: 'S-7', name: '[restricted]', email: '[restricted]' },
      contactEmail: '[restricted]',
    });
    expect(reader.body.assessment).toEqual(analyst.body.assessment);
    const log = await h.query(
      `SELECT principal, role, customer_id, fields, outcome, purpose FROM personal_data_access_log ORDER BY id`,
    );
    expect(log).toEqual([
      {
        principal: 'carl',
        role: 'finance-clerk',
        customer_id: 'P-1',
        fields: ['accountOwner.email', 'accountOwner.name', 'contactEmail'],
        outcome: 'opened',
        purpose: 'GET /customers/P-1/file',
      },
    ]);
  });

  it("shows an individual's identity, education and income to a credit analyst only, never to a reader", async () => {
    const analyst = await h.get('/customers/I-1/file', KEYS.analyst);
    expect(analyst.body.individual).toEqual(IVY);
    expect(analyst.body.contacts.contactEmail).toBe('ivy@home.example');
    const restricted = {
      fullName: '[restricted]',
      nationalId: '[restricted]',
      dateOfBirth: '[restricted]',
      education: '[restricted]',
      annualIncome: '[restricted]',
      currency: 'EUR',
    };
    // A sales manager deals with the customer (its contact address) but does not assess it.
    const sales = await h.get('/customers/I-1/file', KEYS.sales);
    expect(sales.body.individual).toEqual(restricted);
    expect(sales.body.contacts.contactEmail).toBe('ivy@home.example');
    const reader = await h.get('/customers/I-1/file', KEYS.reader);
    expect(reader.body.individual).toEqual(restricted);
    expect(reader.body.contacts.contactEmail).toBe('[restricted]');
    // Graded as an individual; nothing of the score comes from the sealed details.
    expect(reader.body.assessment).toEqual(analyst.body.assessment);
    expect(reader.body.assessment.segment).toBe('individual');
    const timeline = JSON.stringify((await h.get('/customers/I-1/timeline', KEYS.reader)).body);
    expect(timeline).not.toContain('48000.00');
    expect(timeline).toContain('[restricted]');
  });

  it('keeps a redelivered event a duplicate (the same value seals to the same string)', async () => {
    const before = await h.query<{ n: string }>('SELECT count(*)::text AS n FROM ledger_events');
    await h.publish([
      onboarded(
        'P-1',
        '2026-03-01T09:00:00Z',
        { name: 'Machinery Works GmbH', currency: 'EUR', creditLimit: '20000.00' },
        {
          customerType: 'enterprise',
          industry: 'C28.4',
          accountOwner: { id: 'S-7', name: 'Sara Seller', email: 'sara@seller.example' },
          contactEmail: 'ap@machinery.example',
        },
        'onb-P-1',
      ),
    ]);
    await h.waitForIngestion();
    expect(await h.query('SELECT count(*)::text AS n FROM ledger_events')).toEqual(before);
    expect(await h.query(`SELECT code FROM rejected_events WHERE code = 'DUPLICATE_CONFLICT'`)).toEqual([]);
  });

  it('refuses to change or delete the access log', async () => {
    await expect(h.query('UPDATE personal_data_access_log SET principal = $1', ['x'])).rejects.toThrow(
      /append-only/,
    );
    await expect(h.query('DELETE FROM personal_data_access_log')).rejects.toThrow(/append-only/);
  });
});
