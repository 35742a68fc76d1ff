import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  ForbiddenException,
  Get,
  Headers,
  HttpCode,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationShutdown,
  Post,
  Query as QueryString,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@credit-ledger/config';
import { DomainError, canonicalJson, canonicalRole } from '@credit-ledger/domain';
import { PolicyStore } from '@credit-ledger/ledger-store';
import {
  SimulationInfo,
  SimulationStore,
  flatSimulationRow,
  startSimulationWorker,
} from '@credit-ledger/projections';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { POLICY_ACTORS, RequireRole, type Principal } from '../auth/roles';
import { PathId } from '../api/path-params';
import { ErrorResponse } from '../api/schema';
import { toCsv } from '../reports/portfolio-reports';
import { APP_CONFIG, LEDGER_DATA_SOURCE } from '../tokens';
import {
  CurrencyHeldResponse,
  SimulatePolicyBody,
  SimulationCustomersQueryDto,
  SimulationCustomersResponse,
  SimulationDocumentResponse,
  SimulationListResponse,
  SimulationResponse,
} from './policy-simulations.dto';

/** Starts simulations in worker threads and keeps track of the ones running in this process. */
@Injectable()
export class PolicySimulations implements OnApplicationShutdown {
  private readonly logger = new Logger('Simulations');
  private readonly running = new Set<Promise<void>>();
  readonly store: SimulationStore;

  constructor(
    @Inject(LEDGER_DATA_SOURCE) ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PolicyStore) private readonly policies: PolicyStore,
  ) {
    this.store = new SimulationStore(ds);
  }

  /**
   * Who may simulate a draft: the roles that may propose one (the policy in force's `approvals.policyProposers`), as
   * a simulation is the first step of a proposal. Refused with the roles named.
   */
  async mayStart(by: Principal): Promise<string | null> {
    const proposers = (await this.policies.refresh()).approvals.policyProposers;
    return proposers.includes(canonicalRole(by.role))
      ? null
      : `role "${by.role}" may not simulate a draft policy: the policy in force lets ${proposers.join(' or ')} propose one`;
  }

  async start(
    policy: unknown,
    by: Principal,
    opts: { asOf?: string; customerId?: string },
  ): Promise<SimulationInfo> {
    const refused = await this.mayStart(by);
    if (refused) throw new ForbiddenException(refused);
    let sim: SimulationInfo;
    try {
      sim = await this.store.create(policy, { requestedBy: by.name, ...opts });
    } catch (e) {
      if (e instanceof DomainError && e.code === 'BAD_POLICY') throw new BadRequestException(e.message);
      throw e;
    }
    const run = startSimulationWorker(this.config.databaseUrl, sim.simulationId, (err) => {
      this.logger.error(`simulation ${sim.simulationId} failed: ${err.message}`);
      void this.store.fail(sim.simulationId, err.message).catch(() => undefined);
    }).finally(() => this.running.delete(run));
    this.running.add(run);
    return sim;
  }

  /** Waits for the simulations this process started (tests, shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.running]);
  }

  onApplicationShutdown(): Promise<void> {
    return this.settle();
  }
}

/**
 * What-if: replay the portfolio under a draft policy before adopting it. A run is a resource: started here, run in
 * a worker thread off the ledger's event loop, read back as a summary (grade migration, held credit), per-customer
 * rows (JSON or CSV), and one canonical result document whose hash is the same for the same draft and ledger.
 */
@ApiTags('policy')
@ApiExtraModels(CurrencyHeldResponse)
@Controller('policy/simulations')
export class PolicySimulationsController {
  constructor(@Inject(PolicySimulations) private readonly simulations: PolicySimulations) {}

  @Post()
  @HttpCode(202)
  // Reached by every policy actor; the policy in force says which of them may propose (and so simulate).
  @RequireRole(...POLICY_ACTORS)
  @ApiAcceptedResponse({ type: SimulationResponse, description: 'the run, started in a worker thread' })
  start(@Body() body: SimulatePolicyBody, @CurrentPrincipal() by: Principal) {
    return this.simulations.start(body.policy, by, { asOf: body.asOf, customerId: body.customerId });
  }

  @Get()
  @RequireRole('reader')
  @ApiOkResponse({ type: SimulationListResponse })
  async list() {
    return { items: await this.simulations.store.list() };
  }

  @Get(':simulationId')
  @RequireRole('reader')
  @ApiOkResponse({ type: SimulationResponse, description: 'progress while running; the summary once done' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@PathId('simulationId', 'simulation id') id: string) {
    return this.found(id);
  }

  /** Per-customer rows; `changed=true` keeps grade changes only; CSV with `Accept: text/csv`. */
  @Get(':simulationId/customers')
  @RequireRole('reader')
  @ApiOkResponse({ type: SimulationCustomersResponse, description: 'or CSV with `Accept: text/csv`' })
  @ApiProduces('application/json', 'text/csv')
  @ApiNotFoundResponse({ type: ErrorResponse })
  async customers(
    @PathId('simulationId', 'simulation id') id: string,
    @QueryString() q: SimulationCustomersQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.found(id);
    const rows = await this.simulations.store.rows(id, {
      changedOnly: q.changed === 'true',
      limit: q.limit,
      offset: q.offset,
    });
    if (accept !== undefined && /\btext\/csv\b/i.test(accept)) {
      void reply.header('content-type', 'text/csv; charset=utf-8');
      void reply.header('content-disposition', `attachment; filename="${id}.csv"`);
      return toCsv(rows.map(flatSimulationRow));
    }
    return { items: rows };
  }

  /** The whole result as one canonical JSON document; header x-result-hash is its sha256. */
  @Get(':simulationId/result')
  @RequireRole('reader')
  @ApiOkResponse({
    type: SimulationDocumentResponse,
    description: 'canonical JSON; x-result-hash is its sha256',
  })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'the run is not done' })
  async result(
    @PathId('simulationId', 'simulation id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const sim = await this.found(id);
    if (sim.status !== 'done') throw new ConflictException(`simulation ${id} is ${sim.status}`);
    const rows = await this.simulations.store.rows(id);
    const document = canonicalJson({
      asOf: sim.asOf,
      customerId: sim.customerId,
      customers: rows.length,
      draftHash: sim.draftHash,
      ledgerSequence: sim.ledgerSequence,
      rows,
      summary: sim.summary,
    });
    void reply.header('content-type', 'application/json; charset=utf-8');
    void reply.header('x-result-hash', sim.resultHash ?? '');
    return document;
  }

  private async found(id: string): Promise<SimulationInfo> {
    const sim = await this.simulations.store.get(id);
    if (!sim) throw new NotFoundException(`no simulation ${id}`);
    return sim;
  }
}
