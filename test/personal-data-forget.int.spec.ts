import { PersonalDataKeys, PersonalDataReader, parseMasterKeys } from '@credit-ledger/personal-data';
import { createLedgerDataSource } from '@credit-ledger/ledger-store';
import { verifyProjections } from '@credit-ledger/projections';
import { DataSource } from 'typeorm';
import { buildCli } from '../apps/cli/src/main';
import { DeadLetterReader } from './support/dead-letter-reader';
import { KEYS, LedgerHarness } from './support/ledger-harness';
import { onboarded, wire } from './support/wire';

const NOW = new Date('2026-04-15T12:00:00Z');
const OLD = Buffer.alloc(32, 11).toString('base64');
const NEW = Buffer.alloc(32, 22).toString('base64');
const RING_V1 = `1:${OLD}`;

const contacts = (who: string) => ({
  customerType: 'enterprise',
  industry: 'C28.4',
  accountOwner: { id: 'S-7', name: `${who} Owner`, email: `${who.toLowerCase()}@seller.example` },
  contactEmail: `ap@${who.toLowerCase()}.example`,
});
const ERASED_CONTACTS = {
  accountOwner: { id: 'S-7', name: '[erased]', email: '[erased]' },
  contactEmail: '[erased]',
};

/** Runs `credit-ledger …` in this process against the suite's database; returns what it printed. */
async function cli(h: LedgerHarness, ring: string, ...args: string[]): Promise<string> {
  const saved = { url: process.env.DATABASE_URL, ring: process.env.PERSONAL_DATA_MASTER_KEY };
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    lines.push(a.map(String).join(' '));
  });
  process.env.DATABASE_URL = h.config.databaseUrl;
  process.env.PERSONAL_DATA_MASTER_KEY = ring;
  try {
    await buildCli()
      .exitOverride()
      .parseAsync(['node', 'credit-ledger', ...args]);
  } finally {
    log.mockRestore();
    for (const [k, v] of [
      ['DATABASE_URL', saved.url],
      ['PERSONAL_DATA_MASTER_KEY', saved.ring],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return lines.join('\n');
}

/**
 * Forgetting a customer (four eyes) on real parts: every read of its personal fields shows them erased — API,
 * timeline, CLI, the dead-letter topic re-read, a restored key — while figures, grades and reports replay byte
 * for byte; key rotation keeps the others readable.
 */
describe('forgetting a customer: crypto-shredding', () => {
  let h: LedgerHarness;
  let ds: DataSource;
  let dlq: DeadLetterReader;
  /** F-1's key row as a backup taken before it was forgotten holds it. */
  let backup: { key_version: number; master_key_version: number; wrapped_key: Buffer };
  const figures = async (id: string) => {
    const p = (await h.get(`/customers/${id}`, KEYS.analyst)).body;
    const { ledgerSequence: _s, streamVersion: _v, asOf: _a, ...rest } = p;
    return rest;
  };

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => NOW, keyring: parseMasterKeys(RING_V1) });
    ds = await createLedgerDataSource(h.config.databaseUrl, { poolSize: 2 }).initialize();
    dlq = await DeadLetterReader.start(h.kafka, h.config.dlqTopic);
    await h.publish([
      onboarded(
        'F-1',
        '2026-03-01T09:00:00Z',
        { name: 'Forget Me GmbH', currency: 'EUR', creditLimit: '20000.00' },
        contacts('Fay'),
      ),
      wire('F-1', 'InvoiceIssued', '2026-03-05T09:00:00Z', {
        invoiceId: 'INV-1',
        amount: '5000.00',
        currency: 'EUR',
        issuedOn: '2026-03-05',
        dueOn: '2026-04-04',
      }),
      wire('F-1', 'PaymentReceived', '2026-03-20T09:00:00Z', {
        paymentId: 'P-1',
        amount: '2000.00',
        currency: 'EUR',
        receivedOn: '2026-03-20',
      }),
      wire('F-1', 'CustomerProfileUpdated', '2026-03-21T09:00:00Z', { contactEmail: 'bad address' }),
      onboarded(
        'K-1',
        '2026-03-01T09:00:00Z',
        { name: 'Keep Me SA', currency: 'EUR', creditLimit: '10000.00' },
        contacts('Kim'),
      ),
    ]);
    await h.waitForIngestion();
  });

  afterAll(async () => {
    await dlq?.stop();
    await ds?.destroy();
    await h?.stop();
  });

  it('forgets only with two distinct admins, and keeps every figure, grade and report', async () => {
    const before = await figures('F-1');
    const aging = (await h.get('/reports/aging')).body;
    const history = (await h.get('/customers/F-1/grade-history')).body;
    expect((await h.get('/customers/F-1/file', KEYS.analyst)).body.contacts.contactEmail).toBe(
      'ap@fay.example',
    );
    const [letter] = await dlq.waitFor(1);
    const admin = new PersonalDataReader(ds, new PersonalDataKeys(parseMasterKeys(RING_V1)));
    const who = { principal: 'dlq-test', role: 'admin', purpose: 'dlq re-read' };
    expect(JSON.stringify(letter.letter)).not.toContain('bad address');
    expect(JSON.stringify(await admin.open(letter.letter, who))).toContain('bad address');

    [backup] = await h.query(
      `SELECT key_version, master_key_version, wrapped_key FROM personal_data_keys WHERE customer_id = 'F-1'`,
    );
    expect(
      (await h.send('POST', '/customers/F-1/forget-requests', { reason: 'erasure' }, KEYS.analyst)).status,
    ).toBe(403);
    const asked = await h.send(
      'POST',
      '/customers/F-1/forget-requests',
      { reason: 'erasure request DP-42', requestId: 'FR-1' },
      KEYS.admin,
    );
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ requestId: 'FR-1', events: [{ type: 'CustomerForgetRequested' }] });
    // Nothing is erased yet, and the requester cannot approve.
    expect((await h.get('/customers/F-1/file', KEYS.analyst)).body.contacts.contactEmail).toBe(
      'ap@fay.example',
    );
    const self = await h.send('POST', '/customers/F-1/forget-requests/FR-1/approve', undefined, KEYS.admin);
    expect(self.status).toBe(403);
    expect(self.body.message).toMatch(/four eyes/);
    expect(
      (await h.send('POST', '/customers/F-1/forget-requests/FR-9/approve', undefined, KEYS.admin2)).status,
    ).toBe(404);
    const done = await h.send('POST', '/customers/F-1/forget-requests/FR-1/approve', undefined, KEYS.admin2);
    expect(done.status).toBe(200);
    expect(done.body.events).toEqual([expect.objectContaining({ type: 'CustomerForgotten' })]);
    expect(
      (await h.send('POST', '/customers/F-1/forget-requests', { reason: 'again' }, KEYS.admin)).status,
    ).toBe(409);

    expect(await h.query(`SELECT customer_id FROM personal_data_keys ORDER BY 1`)).toEqual([
      { customer_id: 'K-1' },
    ]);
    expect(
      await h.query(`SELECT customer_id, requested_by, approved_by FROM personal_data_erasures`),
    ).toEqual([{ customer_id: 'F-1', requested_by: 'ada', approved_by: 'abe' }]);
    // Figures, grades and reports as before; replay reproduces every state byte and grade.
    expect(await figures('F-1')).toEqual(before);
    expect((await h.get('/reports/aging')).body).toEqual(aging);
    expect((await h.get('/customers/F-1/grade-history')).body).toEqual(history);
    const replay = await verifyProjections(ds);
    expect(replay.differences).toEqual([]);
    expect(replay.customers).toBe(2);

    // The DLQ letter re-read: its sealed value no longer opens.
    const reread = JSON.stringify(await admin.open(letter.letter, who));
    expect(reread).not.toContain('bad address');
    expect(reread).toContain('[erased]');
  });

  it('shows the personal fields as erased in every read: file, timeline, CLI', async () => {
    const file = await h.get('/customers/F-1/file', KEYS.admin);
    expect(file.body.contacts).toEqual(ERASED_CONTACTS);
    expect(file.body.forgotten).toEqual({
      at: NOW.toISOString(),
      requestId: 'FR-1',
      requestedBy: 'ada',
      approvedBy: 'abe',
    });
    const past = await h.get('/customers/F-1/file?asOf=2026-03-02', KEYS.admin);
    expect(past.body.contacts).toEqual(ERASED_CONTACTS);
    const timeline = JSON.stringify((await h.get('/customers/F-1/timeline?limit=50', KEYS.admin)).body);
    expect(timeline).toContain('[erased]');
    for (const clear of ['Fay Owner', 'fay@seller.example', 'ap@fay.example', 'pd1|'])
      expect(timeline).not.toContain(clear);
    // The other customer still opens.
    expect((await h.get('/customers/K-1/file', KEYS.analyst)).body.contacts.contactEmail).toBe(
      'ap@kim.example',
    );

    const cliFile = JSON.parse(await cli(h, RING_V1, 'customer', 'F-1', '--file', '--personal'));
    expect(cliFile.contacts).toEqual(ERASED_CONTACTS);
    const kim = JSON.parse(await cli(h, RING_V1, 'customer', 'K-1', '--file', '--personal'));
    expect(kim.contacts.accountOwner.name).toBe('Kim Owner');
    const restricted = JSON.parse(await cli(h, RING_V1, 'customer', 'K-1', '--file'));
    expect(restricted.contacts.accountOwner.name).toBe('[restricted]');
    const rejected = await cli(h, RING_V1, 'rejected', '--json', '--personal');
    expect(rejected).toContain('[erased]');
    expect(rejected).not.toContain('bad address');
    expect(await cli(h, RING_V1, 'replay')).toMatch(/^OK: replayed 2 customers/);
  });

  it('seals nothing new for a forgotten customer: a later personal value is stored erased', async () => {
    await h.publish([
      wire('F-1', 'CustomerProfileUpdated', '2026-04-01T09:00:00Z', { contactEmail: 'new@fay.example' }),
    ]);
    await h.waitForIngestion();
    const rows = await h.query<{ payload: { contactEmail: string } }>(
      `SELECT payload FROM ledger_events WHERE customer_id = 'F-1' AND type = 'CustomerProfileUpdated'`,
    );
    expect(rows.map((r) => r.payload.contactEmail)).toEqual(['[erased]']);
    expect(await h.query(`SELECT customer_id FROM personal_data_keys WHERE customer_id = 'F-1'`)).toEqual([]);
  });

  it('never brings a forgotten customer back from a restored backup of the keys table', async () => {
    const restore = () =>
      h.query(
        `INSERT INTO personal_data_keys (customer_id, key_version, master_key_version, wrapped_key) VALUES ('F-1', $1, $2, $3)`,
        [backup.key_version, backup.master_key_version, backup.wrapped_key],
      );
    await restore();
    const erasedEverywhere = async () => {
      expect((await h.get('/customers/F-1/file', KEYS.admin)).body.contacts).toEqual(ERASED_CONTACTS);
      // The timeline carries the events' sealed values: the restored key is what would open them.
      const timeline = JSON.stringify((await h.get('/customers/F-1/timeline?limit=50', KEYS.admin)).body);
      expect(timeline).toContain('[erased]');
      for (const clear of ['Fay Owner', 'fay@seller.example', 'ap@fay.example'])
        expect(timeline).not.toContain(clear);
    };
    await erasedEverywhere();
    // Loading it found the erasure: the restored row is shredded again.
    expect(await h.query(`SELECT customer_id FROM personal_data_keys WHERE customer_id = 'F-1'`)).toEqual([]);
    // The destroyed-key ledger cannot be edited; a restore that rolled it back still meets the ledger's event.
    await expect(h.query(`DELETE FROM personal_data_erasures`)).rejects.toThrow(/append-only/);
    await h.query(`ALTER TABLE personal_data_erasures DISABLE TRIGGER USER`);
    await h.query(`DELETE FROM personal_data_erasures`);
    await h.query(`ALTER TABLE personal_data_erasures ENABLE TRIGGER USER`);
    await restore();
    await erasedEverywhere();
    expect(await h.query(`SELECT customer_id FROM personal_data_keys WHERE customer_id = 'F-1'`)).toEqual([]);
  });

  it('logs who read what, for admins only', async () => {
    expect((await h.get('/personal-data/access-log', KEYS.reader)).status).toBe(403);
    const log = await h.get('/personal-data/access-log?customerId=K-1&limit=5', KEYS.admin);
    expect(log.status).toBe(200);
    expect(log.body.items[0]).toMatchObject({
      customerId: 'K-1',
      outcome: 'opened',
      fields: ['accountOwner.email', 'accountOwner.name', 'contactEmail'],
    });
    const principals = log.body.items.map((e: { principal: string }) => e.principal);
    expect(principals).toContain('carl');
    expect(principals.some((p: string) => p.startsWith('cli:'))).toBe(true);
    const erased = await h.get('/personal-data/access-log?customerId=F-1&principal=ada', KEYS.admin);
    expect(erased.body.items[0]).toMatchObject({
      outcome: 'erased',
      purpose: 'GET /customers/F-1/timeline?limit=50',
    });
  });

  it('rotates the master key: every data key rewrapped, everything still readable, the old key no longer needed', async () => {
    const both = `2:${NEW},1:${OLD}`;
    expect(await cli(h, both, 'personal-data', 'rotate-keys')).toBe(
      'rewrapped 1 data key(s) with master key version 2',
    );
    expect(await h.query(`SELECT customer_id, master_key_version FROM personal_data_keys`)).toEqual([
      { customer_id: 'K-1', master_key_version: 2 },
    ]);
    await h.stopApp();
    await h.startApp({ clock: () => NOW, keyring: parseMasterKeys(`2:${NEW}`) });
    const kim = await h.get('/customers/K-1/file', KEYS.analyst);
    expect(kim.body.contacts).toEqual({
      accountOwner: { id: 'S-7', name: 'Kim Owner', email: 'kim@seller.example' },
      contactEmail: 'ap@kim.example',
    });
    expect((await h.get('/customers/F-1/file', KEYS.analyst)).body.contacts).toEqual(ERASED_CONTACTS);
  });
});
