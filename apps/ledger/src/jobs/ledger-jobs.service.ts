import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@credit-ledger/config';
import { JobsClient } from '@credit-ledger/jobs';
import { APP_CONFIG } from '../tokens';

/** The ledger's handle on the worker queue, connected on first use so a ledger without jobs needs no Redis. */
@Injectable()
export class LedgerJobs implements OnApplicationShutdown {
  private jobs: JobsClient | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  client(): JobsClient {
    this.jobs ??= JobsClient.fromConfig(this.config);
    return this.jobs;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs?.close();
  }
}
