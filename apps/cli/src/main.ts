import 'reflect-metadata';
import { Command } from 'commander';
import { approvalsCommand } from './commands/approvals';
import { brokerCommand } from './commands/broker';
import { chaosCommand } from './commands/chaos';
import { controlCommand, keysCommand } from './commands/control';
import { customerCommand } from './commands/customer';
import { demoCommand } from './commands/demo';
import { jobsCommand } from './commands/jobs';
import { explainCommand } from './commands/explain';
import { migrateCommand } from './commands/migrate';
import { policyCommand } from './commands/policy';
import { rebuildCommand } from './commands/rebuild';
import { rejectedCommand } from './commands/rejected';
import { personalDataCommand } from './commands/personal-data';
import { replayCommand } from './commands/replay';
import { serveCommand } from './commands/serve';
import { upCommand } from './commands/up';
import { workerCommand } from './commands/worker';

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
    .addCommand(personalDataCommand())
    .addCommand(explainCommand())
    .addCommand(replayCommand())
    .addCommand(rebuildCommand())
    .addCommand(policyCommand())
    .addCommand(approvalsCommand())
    .addCommand(workerCommand())
    .addCommand(jobsCommand())
    .addCommand(controlCommand())
    .addCommand(keysCommand())
    .addCommand(brokerCommand())
    .addCommand(chaosCommand());
}

if (require.main === module) {
  buildCli()
    .parseAsync(process.argv)
    .catch((err: Error) => {
      console.error(`error: ${err.message}`);
      process.exit(1);
    });
}
