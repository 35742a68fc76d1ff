import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { ALERT_TOPICS } from '@credit-ledger/domain';
import { LedgerHarness, TRIAL_COVERS_ALL, waitUntil } from './support/ledger-harness';
import { onboarded, wire } from './support/wire';
import {
  AlertCollector,
  cleanRedis,
  startWorker,
  uniqueQueuePrefix,
  workerConfig,
} from './support/worker-harness';
import { soundProfile } from '../libs/domain/test/builders';

interface Received {
  rcptTo: string[];
  messageId: string;
  subject: string;
  raw: string;
}

/** A real SMTP server (smtp-server) on loopback that keeps what it accepted and can refuse the next sends. */
class TestSmtp {
  readonly received: Received[] = [];
  refusals = 0;
  refuseNext = 0;
  private server!: SMTPServer;

  static async start(): Promise<TestSmtp> {
    const self = new TestSmtp();
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (self.refuseNext > 0) {
            self.refuseNext--;
            self.refusals++;
            const err = Object.assign(new Error('mailbox busy, try again'), { responseCode: 451 });
            callback(err);
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          const header = (name: string): string =>
            new RegExp(`^${name}: *(.*)$`, 'mi').exec(raw)?.[1].trim() ?? '';
          self.received.push({
            rcptTo: session.envelope.rcptTo.map((r) => r.address).sort(),
            messageId: header('Message-ID'),
            subject: header('Subject'),
            raw,
          });
          callback();
        });
      },
    });
    self.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get url(): string {
    const port = (this.server.server.address() as AddressInfo).port;
    return `smtp://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Alerts know their recipients and reach them by e-mail: Kafka → ledger → outbox → the worker's mailer →
 * a real SMTP server started here. The 90 % warning (open receivables 9,000.00 of a 10,000.00 limit, the seed's
 * measure) goes to the account owner, finance and the customer's contact — exactly once, after one refused
 * attempt, a redelivered billing event, a republished outbox and a worker restart.
 */
describe('alert e-mail', () => {
  let h: LedgerHarness;
  let smtp: TestSmtp;
  let collector: AlertCollector;
  let stopWorker: () => Promise<void> = async () => undefined;
  const prefix = uniqueQueuePrefix();
  const env = () => ({
    SMTP_URL: smtp.url,
    ALERT_MAIL_FROM: 'credit@ledger.test',
    ALERT_MAIL_FINANCE: 'finance@ledger.test',
    ALERT_MAIL_RETRY_MS: '200',
  });
  const start = async () => {
    const w = await startWorker(workerConfig(h.config, env()));
    stopWorker = () => w.app.close();
  };

  beforeAll(async () => {
    smtp = await TestSmtp.start();
    h = await LedgerHarness.start({ env: { QUEUE_PREFIX: prefix }, policy: TRIAL_COVERS_ALL });
    collector = await AlertCollector.start(h.broker.address);
    await start();
  });

  afterAll(async () => {
    await stopWorker();
    await collector?.stop();
    await h?.stop();
    await smtp?.stop();
    await cleanRedis(h.config.redisUrl, prefix);
  });

  const INVOICE = wire(
    'C-MAIL',
    'InvoiceIssued',
    '2026-03-02T09:00:00Z',
    { invoiceId: 'INV-1', amount: '9000.00', currency: 'EUR', issuedOn: '2026-03-02', dueOn: '2026-04-01' },
    'INV-MAIL-1',
  );

  it('mails the 90 % warning once to the owner, finance and the customer, with a retry after a refusal', async () => {
    smtp.refuseNext = 1;
    await h.publish([
      onboarded(
        'C-MAIL',
        '2026-03-01T09:00:00Z',
        { name: 'Mail Co', currency: 'EUR', creditLimit: '10000.00' },
        {
          ...soundProfile('EUR', '2026-03-01'),
          accountOwner: { id: 'u-ana', name: 'Ana', email: 'ana@seller.test' },
          contactEmail: 'buyer@mailco.test',
        },
      ),
      INVOICE,
    ]);
    await h.waitForIngestion();
    await collector.waitFor(() => collector.on(ALERT_TOPICS.limitBreach).length === 1, 'the 90 % warning');
    const alert = collector.on(ALERT_TOPICS.limitBreach)[0].value;
    expect(alert.details).toMatchObject({
      thresholdPct: 90,
      measure: 'receivables',
      receivables: '9000.00',
      creditLimit: '10000.00',
    });
    expect(alert.recipients!.map((r) => [r.role, r.id])).toEqual([
      ['account-owner', 'u-ana'],
      ['finance', null],
      ['customer', null],
    ]);
    // Addresses travel sealed (personal data): only the mailer opens them.
    expect(JSON.stringify(alert)).not.toContain('ana@seller.test');

    const mine = () => smtp.received.filter((m) => m.messageId.includes(encodeURIComponent(alert.alertId)));
    await waitUntil(
      () => mine().length === 1,
      30_000,
      () => `mails: ${smtp.received.map((m) => m.messageId).join(', ')}`,
    );
    const mail = mine()[0];
    expect(smtp.refusals).toBe(1);
    expect(mail.rcptTo).toEqual(['ana@seller.test', 'buyer@mailco.test', 'finance@ledger.test']);
    expect(mail.messageId).toBe(`<${encodeURIComponent(alert.alertId)}@credit-ledger>`);
    expect(mail.subject).toBe('[credit-ledger] LimitBreached: customer C-MAIL');
    expect(mail.raw).toContain('receivables: 9000.00');
    const [row] = await h.query<{ status: string; attempts: number; roles: string[] }>(
      `SELECT status, attempts, roles FROM alert_mails WHERE alert_id = $1`,
      [alert.alertId],
    );
    expect(row).toEqual({ status: 'sent', attempts: 2, roles: ['account-owner', 'finance', 'customer'] });
  });

  it('does not mail twice after a redelivery, a republished outbox and a worker restart', async () => {
    const alertId = collector.on(ALERT_TOPICS.limitBreach)[0].value.alertId;
    await h.publish([INVOICE]); // the same billing event again: a duplicate, no new alert
    await h.waitForIngestion();
    await stopWorker();
    // The relay republishes every alert (at-least-once to Kafka); the mailer's claim still holds.
    await h.query(`UPDATE alert_outbox SET sent_at = NULL`);
    await start();
    await collector.waitFor(() => collector.on(ALERT_TOPICS.limitBreach).length === 2, 'republished alert');
    await new Promise((r) => setTimeout(r, 1500)); // several mailer rounds
    expect(smtp.received.filter((m) => m.messageId.includes(encodeURIComponent(alertId)))).toHaveLength(1);
    // Every alert mailed at most once.
    const ids = smtp.received.map((m) => m.messageId);
    expect(ids.length).toBe(new Set(ids).size);
  });
});
