import path from 'node:path';
import { Command } from 'commander';
import { runChaos, summarise } from '../chaos/chaos';
import { config } from './shared';

export function chaosCommand(): Command {
  return new Command('chaos')
    .description(
      'Fault injection: ingest a generated history while the ledger is SIGKILLed, its database sessions are ' +
        'terminated, the database refuses connections and the broker is SIGKILLed; then check that nothing was ' +
        'lost or doubled, that positions equal an independent fold, and how fast ingestion recovered by itself.',
    )
    .option('--events <n>', 'events of the generated history', '20000')
    .option('--customers <n>', 'customers in it', '400')
    .option('--rounds <n>', 'rounds of the four faults', '1')
    .option('--rate <n>', 'events published per second while the faults run', '400')
    .option('--refuse-ms <ms>', 'how long the database refuses connections', '4000')
    .option('--seed <n>', 'generator seed', '42')
    .option('--keep', 'keep the run database (cl_chaos_*) afterwards')
    .addHelpText(
      'after',
      '\nNeeds only PostgreSQL (DATABASE_URL names the server; the run makes a database of its own and drops it):\n' +
        'it starts its own embedded broker and ledger as child processes, and a TCP proxy in front of PostgreSQL.\n' +
        'Prints a progress line per fault and one summary line; exits 1 if anything was lost, doubled or wrong.\n\n' +
        'Example:\n  npm run chaos -- --events 50000 --rounds 2',
    )
    .action(
      async (opts: {
        events: string;
        customers: string;
        rounds: string;
        rate: string;
        refuseMs: string;
        seed: string;
        keep?: boolean;
      }) => {
        const report = await runChaos({
          events: Number(opts.events),
          customers: Number(opts.customers),
          rounds: Number(opts.rounds),
          rate: Number(opts.rate),
          refuseMs: Number(opts.refuseMs),
          seed: Number(opts.seed),
          databaseUrl: config().databaseUrl,
          keep: opts.keep === true,
          bin: path.join(__dirname, '..', '..', '..', '..', '..', 'bin', 'credit-ledger.js'),
          log: (line) => console.error(line),
        });
        console.log(summarise(report));
        if (!report.ok) process.exitCode = 1;
      },
    );
}
