import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { type AppConfig, describeRedis } from '@credit-ledger/config';
import { JobsClient, checkRedis } from '@credit-ledger/jobs';
import { APP_CONFIG } from '../tokens';

/** The ledger's handle on the worker queue, connected on first use so a ledger without jobs needs no Redis. */
@Injectable()
export class LedgerJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private jobs: JobsClient | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** A Redis that refuses the configured credential or certificate stops the start; an absent one does not. */
  async onApplicationBootstrap(): Promise<void> {
    const check = await checkRedis(this.config.redisUrl, this.config.redisSecurity);
    if (!check.reachable) {
      this.logger.warn(
        `Redis ${describeRedis(this.config.redisUrl, this.config.redisSecurity)} not reachable (${check.reason}): ` +
          'GET /jobs and POST /jobs/:name/run wait for it',
      );
    }
  }

  client(): JobsClient {
    this.jobs ??= JobsClient.fromConfig(this.config);
    return this.jobs;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs?.close();
  }
}
