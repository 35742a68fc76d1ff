import { Command } from 'commander';
import { Partitioners } from 'kafkajs';
import type { AppConfig } from '@credit-ledger/config';
import { generateEvents } from '@credit-ledger/testing';
import { ensureTopics, publishEvents } from '@credit-ledger/messaging';
import { progressBar } from '../progress';
import { config, daysAgo, kafkaFor } from './shared';

export interface DemoOptions {
  customers: number;
  eventsPerCustomer: number;
  days: number;
  seed: number;
}

/**
 * Publishes a realistic, reproducible history ending today to the configured events topic (brokers, TLS and
 * SASL from `cfg`); returns how many events were sent.
 */
export async function publishDemo(cfg: AppConfig, o: DemoOptions): Promise<number> {
  const topic = cfg.eventsTopic;
  const kafka = kafkaFor(cfg);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [topic]);
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const total = o.customers * o.eventsPerCustomer;
  const bar = progressBar('publishing demo events', total);
  try {
    const sent = await publishEvents(
      producer,
      topic,
      generateEvents({
        seed: o.seed,
        customers: o.customers,
        eventsPerCustomer: o.eventsPerCustomer,
        start: daysAgo(o.days),
        days: o.days,
        // an integrated billing system: holds and a few deliberate bypasses, not two thirds of invoices
        billing: 'controlled',
      }),
      { onProgress: (n) => bar.update(Math.min(n, total)) },
    );
    return sent;
  } finally {
    bar.stop();
    await producer.disconnect();
  }
}

export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'Publish a realistic sample history (invoices, payments, orders, disputes…) to billing.events.',
    )
    .option('-c, --customers <n>', 'number of customers', '300')
    .option('-e, --events-per-customer <n>', 'average events per customer', '12')
    .option('-d, --days <n>', 'length of the history, ending today', '365')
    .option('-s, --seed <n>', 'random seed: the same seed publishes the same events', '42')
    .addHelpText(
      'after',
      '\nExample: credit-ledger demo --customers 300 && curl -H "Authorization: Bearer $KEY" localhost:3000/customers/C-000001',
    )
    .action(async (opts: Record<string, string>) => {
      const cfg = config();
      const sent = await publishDemo(cfg, {
        customers: Number(opts.customers),
        eventsPerCustomer: Number(opts.eventsPerCustomer),
        days: Number(opts.days),
        seed: Number(opts.seed),
      });
      console.log(`published ${sent} events to ${cfg.eventsTopic} on ${cfg.kafkaBrokers.join(',')}`);
    });
}
