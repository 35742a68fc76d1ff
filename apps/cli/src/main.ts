import 'reflect-metadata';
import { Command } from 'commander';
import { brokerCommand } from './commands/broker';
import { customerCommand } from './commands/customer';
import { demoCommand } from './commands/demo';
import { migrateCommand } from './commands/migrate';
import { rejectedCommand } from './commands/rejected';
import { serveCommand } from './commands/serve';
import { upCommand } from './commands/up';

export function buildCli(): Command {
  return new Command('credit-ledger')
    .description(
      'Event-sourced customer credit ledger: billing events from Kafka into an append-only ledger, ' +
        'with exposure, aging and credit grades per customer.',
    )
    .addHelpText(
      'after',
      '\nStart here:\n  credit-ledger up                 everything on this machine, with demo data\n' +
        '  credit-ledger <command> --help   what a command does, its options and an example',
    )
    .addCommand(upCommand())
    .addCommand(serveCommand())
    .addCommand(migrateCommand())
    .addCommand(demoCommand())
    .addCommand(customerCommand())
    .addCommand(rejectedCommand())
    .addCommand(brokerCommand());
}

if (require.main === module) {
  buildCli()
    .parseAsync(process.argv)
    .catch((err: Error) => {
      console.error(`error: ${err.message}`);
      process.exit(1);
    });
}
