import { Command } from 'commander';
import { normaliseInstant } from '@credit-ledger/domain';
import { JOB_NAMES, JobsClient, isJobName } from '@credit-ledger/jobs';
import { config } from './shared';

async function withJobs<T>(f: (jobs: JobsClient) => Promise<T>): Promise<T> {
  const cfg = config();
  const jobs = JobsClient.fromConfig(cfg);
  try {
    return await f(jobs);
  } finally {
    await jobs.close();
  }
}

export function jobsCommand(): Command {
  const jobs = new Command('jobs').description(
    `Background credit jobs on the BullMQ queue credit-jobs: ${JOB_NAMES.join(', ')}.`,
  );
  jobs
    .command('run')
    .description('Run a job now (a running `credit-ledger worker` processes it).')
    .argument('<name>', JOB_NAMES.join(' | '))
    .option('--at <instant>', 'evaluate the rules at this instant instead of now, e.g. 2026-06-30T00:00:00Z')
    .option('--wait', 'wait until the job (and all its chunks) finished and print the result')
    .addHelpText(
      'after',
      '\nExample:\n  credit-ledger jobs run overdue-scan --at 2026-06-30T00:00:00Z --wait',
    )
    .action(async (name: string, opts: { at?: string; wait?: boolean }) => {
      if (!isJobName(name)) throw new Error(`unknown job "${name}"; jobs are: ${JOB_NAMES.join(', ')}`);
      const at = opts.at === undefined ? undefined : normaliseInstant(opts.at);
      if (at === null) throw new Error(`--at ${opts.at} is not an ISO-8601 timestamp with a zone`);
      await withJobs(async (client) => {
        const job = await client.run(name, at);
        console.log(`queued ${name} as job ${job.id} (at ${job.data.at})`);
        if (opts.wait) console.log(JSON.stringify(await client.waitFor(job)));
      });
    });
  jobs
    .command('list')
    .description('Jobs per state, and the schedules with their next run.')
    .action(() =>
      withJobs(async (client) => {
        const counts = await client.counts();
        for (const [state, n] of Object.entries(counts)) console.log(`${state.padEnd(18)} ${n}`);
        for (const s of await client.schedulers())
          console.log(`schedule ${s.id.padEnd(22)} ${s.pattern}  next ${s.next}`);
      }),
    );
  jobs
    .command('failed')
    .description('Failed jobs (kept for inspection), newest first, with the reason.')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--json', 'one JSON object per line')
    .action((opts: { limit: string; json?: boolean }) =>
      withJobs(async (client) => {
        const failed = await client.failed(Number(opts.limit));
        for (const f of failed) {
          if (opts.json) console.log(JSON.stringify(f));
          else
            console.log(`${f.finishedOn}  ${f.name} ${f.id}  attempts ${f.attemptsMade}  ${f.failedReason}`);
        }
        if (!opts.json) console.log(`${failed.length} shown`);
      }),
    );
  return jobs;
}
