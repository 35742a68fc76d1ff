import { createTransport, type Transporter } from 'nodemailer';
import type { DataSource } from 'typeorm';
import type { AlertMessage, AlertRecipient } from '@credit-ledger/domain';
import type { Log } from '@credit-ledger/ledger-store';
import { ERASED, RESTRICTED, type PersonalDataReader } from '@credit-ledger/personal-data';

export interface AlertMailerOptions {
  /** nodemailer's SMTP URL: smtp://user:pass@host:587, smtps://… for implicit TLS. */
  smtpUrl: string;
  from: string;
  /** Addresses of the `finance` recipient (a team mailbox, not a person of the credit file). */
  financeTo: string[];
  pollMs: number;
  /** First retry after this long, doubling per attempt (at most 1 hour). */
  retryMs: number;
  maxAttempts: number;
  /** Alerts older than this are not mailed (a mailer switched on later does not mail the past). */
  windowMs: number;
  batchSize: number;
  log?: Log;
}

interface Candidate {
  alert_id: string;
  payload: AlertMessage;
  attempts: number | null;
}

/** Addresses of the recipients an alert names: sealed addresses opened (role `notifier`), finance from config. */
async function addressesOf(
  alert: AlertMessage,
  financeTo: string[],
  reader: PersonalDataReader,
): Promise<{ to: string[]; roles: string[] }> {
  const recipients: AlertRecipient[] = alert.recipients ?? [];
  const opened = await reader.open(recipients, {
    principal: 'alert-mailer',
    role: 'notifier',
    purpose: `alert e-mail ${alert.alertId}`,
  });
  const to = new Set<string>();
  const roles = new Set<string>();
  for (const r of opened) {
    const addresses =
      r.role === 'finance'
        ? financeTo
        : r.email && r.email !== ERASED && r.email !== RESTRICTED
          ? [r.email]
          : [];
    for (const a of addresses) to.add(a);
    if (addresses.length > 0) roles.add(r.role);
  }
  return { to: [...to], roles: [...roles] };
}

function body(alert: AlertMessage): string {
  const lines = [
    `${alert.type} for customer ${alert.customerId}`,
    `at ${alert.occurredAt} (ledger sequence ${alert.ledgerSequence})`,
    '',
  ];
  for (const [k, v] of Object.entries(alert.details))
    lines.push(`${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  lines.push('', `alert id: ${alert.alertId}`);
  return lines.join('\n');
}

/**
 * Delivers alerts by e-mail over SMTP (nodemailer), next to the Kafka relay and independent of it. Each alert is
 * mailed at most once: its alertId is claimed in `alert_mails` (primary key) and committed BEFORE the send, so a
 * redelivered alert, a second worker or a restart finds the claim and sends nothing. A send the SMTP server
 * refuses is retried with backoff up to `maxAttempts`; a send interrupted by a crash is left `sending` (never
 * repeated: no duplicate mail is the promise, and the row shows what to check).
 */
export class AlertMailer {
  private readonly transport: Transporter;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private readonly reader: PersonalDataReader,
    private readonly opts: AlertMailerOptions,
  ) {
    this.transport = createTransport(opts.smtpUrl);
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round()
        .then(() => undefined)
        .catch((err: Error) => this.opts.log?.('warn', `alert mailer: ${err.message}`))
        .finally(() => {
          this.running = null;
          this.schedule(this.opts.pollMs);
        });
    }, ms);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.transport.close();
  }

  /** One pass: new alerts of the window, then refused sends due for a retry. Returns how many were mailed. */
  async round(): Promise<number> {
    const fresh: Candidate[] = await this.ds.query(
      `SELECT o.alert_id, o.payload, NULL::int AS attempts FROM alert_outbox o
        WHERE o.created_at > now() - $1 * interval '1 millisecond'
          AND NOT EXISTS (SELECT 1 FROM alert_mails m WHERE m.alert_id = o.alert_id)
        ORDER BY o.id LIMIT $2`,
      [this.opts.windowMs, this.opts.batchSize],
    );
    const retries: Candidate[] = await this.ds.query(
      `SELECT m.alert_id, o.payload, m.attempts FROM alert_mails m JOIN alert_outbox o USING (alert_id)
        WHERE m.status = 'failed' AND m.next_attempt_at <= now() ORDER BY m.next_attempt_at LIMIT $1`,
      [this.opts.batchSize],
    );
    let sent = 0;
    for (const c of [...fresh, ...retries]) if (await this.deliver(c)) sent++;
    return sent;
  }

  private async deliver(c: Candidate): Promise<boolean> {
    const alert = c.payload;
    const { to, roles } = await addressesOf(alert, this.opts.financeTo, this.reader);
    let attempt: number;
    if (c.attempts === null) {
      const status = to.length === 0 ? 'no-recipient' : 'sending';
      const claimed: unknown[] = await this.ds.query(
        `INSERT INTO alert_mails (alert_id, status, attempts, roles) VALUES ($1, $2, $3, $4)
         ON CONFLICT (alert_id) DO NOTHING RETURNING alert_id`,
        [c.alert_id, status, to.length === 0 ? 0 : 1, roles],
      );
      if (claimed.length === 0 || to.length === 0) return false;
      attempt = 1;
    } else {
      const [row] = (await this.ds.query(
        `UPDATE alert_mails SET status = 'sending', attempts = attempts + 1
          WHERE alert_id = $1 AND status = 'failed' RETURNING attempts`,
        [c.alert_id],
      )) as [Array<{ attempts: number }>, number];
      if (!row || row.length === 0) return false;
      attempt = row[0].attempts;
    }
    try {
      const info = (await this.transport.sendMail({
        from: this.opts.from,
        to,
        subject: `[credit-ledger] ${alert.type}: customer ${alert.customerId}`,
        text: body(alert),
        messageId: `<${encodeURIComponent(alert.alertId)}@credit-ledger>`,
        headers: { 'X-Credit-Ledger-Alert-Id': alert.alertId },
      })) as { messageId: string };
      await this.ds.query(
        `UPDATE alert_mails SET status = 'sent', sent_at = now(), message_id = $2, last_error = NULL
          WHERE alert_id = $1`,
        [c.alert_id, info.messageId],
      );
      return true;
    } catch (err) {
      const giveUp = attempt >= this.opts.maxAttempts;
      const delay = Math.min(this.opts.retryMs * 2 ** (attempt - 1), 3_600_000);
      await this.ds.query(
        `UPDATE alert_mails SET status = $2, last_error = $3,
                next_attempt_at = CASE WHEN $2 = 'failed' THEN now() + $4 * interval '1 millisecond' END
          WHERE alert_id = $1`,
        [c.alert_id, giveUp ? 'given-up' : 'failed', (err as Error).message.slice(0, 500), delay],
      );
      this.opts.log?.(
        'warn',
        `alert mail ${c.alert_id} refused (attempt ${attempt}): ${(err as Error).message}`,
      );
      return false;
    }
  }
}
