/**
 * Runs the ledger in a child process for the crash test. After the first append that wrote events it prints
 * APPENDED and then stalls before the offset commit, so the parent can SIGKILL it at exactly that point.
 */
import { loadConfig } from '@credit-ledger/config';
import { startLedgerApp } from '../../apps/ledger/src/ledger-app';

async function main(): Promise<void> {
  const config = loadConfig();
  let stalled = false;
  await startLedgerApp({
    config,
    host: '127.0.0.1',
    hooks: {
      afterAppend: async (result) => {
        if (stalled || result.appended === 0) return;
        stalled = true;
        process.stdout.write(`APPENDED ${result.appended}\n`);
        await new Promise(() => undefined); // never commits
      },
    },
  });
  process.stdout.write('READY\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
