/** Runs the `credit-ledger` command in a child process with the arguments given after the entry file. */
import { buildCli } from '../../apps/cli/src/main';

buildCli()
  .parseAsync(process.argv)
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
