/**
 * Runs the ledger in a child process for the crash test. After the first append that wrote events it prints
 * APPENDED and then stalls before the offset commit, so the parent can SIGKILL it at exactly that point.
 */
import { loadConfig } from '@credit-ledger/config';
import { startLedgerApp } from '../../apps/ledger/src/ledger-app';
import { runChild, stallOnFirst } from './child-process';

runChild(async () => {
  const stall = stallOnFirst('APPENDED'); // never commits
  await startLedgerApp({
    config: loadConfig(),
    host: '127.0.0.1',
    hooks: { afterAppend: (result) => stall(result.appended) },
  });
});
