import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  HttpException,
  Inject,
  NotFoundException,
  Post,
  Query as QueryString,
} from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { DomainError } from '@credit-ledger/domain';
import {
  PolicyStore,
  approvePolicyProposal,
  getPolicyProposal,
  listPolicyProposals,
  proposePolicy,
  rejectPolicyProposal,
  type PolicyDecisionOutcome,
  type PolicyProposalView,
} from '@credit-ledger/ledger-store';
import { PathId } from '../api/path-params';
import { AnyObject, ErrorResponse, Many, One, OneOrNull } from '../api/schema';
import { PolicyVersionResponse } from '../audit/audit.dto';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { POLICY_ACTORS, RequireRole, type Principal } from '../auth/roles';
import { CLOCK, LEDGER_DATA_SOURCE } from '../tokens';
import {
  NoBody,
  PolicyProposalResponse,
  PolicyProposalsQueryDto,
  ProposePolicyBody,
  RejectPolicyBody,
} from './control.dto';

/** The store's refusals as the HTTP errors they name (the CLI prints the same messages). */
export function policyRefusal(e: unknown): unknown {
  if (!(e instanceof DomainError)) return e;
  const make: Record<string, (m: string) => HttpException> = {
    BAD_POLICY: (m) => new BadRequestException(m),
    POLICY_FORBIDDEN: (m) => new ForbiddenException(m),
    POLICY_CONFLICT: (m) => new ConflictException(m),
    SIMULATION_MISMATCH: (m) => new ConflictException(m),
    POLICY_NOT_FOUND: (m) => new NotFoundException(m),
    UNKNOWN_SIMULATION: (m) => new NotFoundException(m),
  };
  return make[e.code]?.(e.message) ?? e;
}

/** Propose, approve or reject a policy version: each step is decided by `decidePolicyAdoption` in the store. */
export class PolicyAdoptionStepCommand extends Command<PolicyProposalView | PolicyDecisionOutcome> {
  constructor(
    readonly by: Principal,
    readonly step:
      | { type: 'propose'; policy: Record<string, unknown>; note?: string; simulationId?: string }
      | { type: 'approve'; proposalId: string }
      | { type: 'reject'; proposalId: string; reason: string },
  ) {
    super();
  }
}

@CommandHandler(PolicyAdoptionStepCommand)
export class PolicyAdoptionStepHandler implements ICommandHandler<PolicyAdoptionStepCommand> {
  constructor(
    @Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(PolicyStore) private readonly policies: PolicyStore,
    @Inject(CLOCK) private readonly clock: () => Date,
  ) {}

  async execute(c: PolicyAdoptionStepCommand): Promise<PolicyProposalView | PolicyDecisionOutcome> {
    const by = { name: c.by.name, role: c.by.role };
    const at = this.clock().toISOString();
    const s = c.step;
    try {
      if (s.type === 'propose')
        return await proposePolicy(this.ds, s.policy, { by, at, note: s.note, simulationId: s.simulationId });
      if (s.type === 'reject')
        return await rejectPolicyProposal(this.ds, s.proposalId, { by, at, reason: s.reason });
      const outcome = await approvePolicyProposal(this.ds, s.proposalId, { by, at });
      if (outcome.adopted) await this.policies.refresh();
      return outcome;
    } catch (e) {
      throw policyRefusal(e);
    }
  }
}

export class PolicyProposalDetailResponse extends PolicyProposalResponse {
  @AnyObject('the proposed policy document') policy!: Record<string, unknown>;
}

export class PolicyProposalListResponse {
  @Many(PolicyProposalResponse) items!: PolicyProposalView[];
}

export class PolicyDecisionResponse implements PolicyDecisionOutcome {
  @One(PolicyProposalResponse) proposal!: PolicyProposalView;
  @OneOrNull(PolicyVersionResponse, 'the version now in force, when this approval completed the proposal')
  adopted!: PolicyVersionResponse | null;
}

/**
 * Policy adoption, four-eyes: one principal proposes a version (a role the policy in force lists in
 * `approvals.policyProposers`: admin or cfo by default), and it is in force only once principals other than the
 * proposer, holding the roles its `approvals.policyApproval` names (cfo or general manager by default), approve it.
 */
@ApiTags('policy')
@Controller('policy/proposals')
export class PolicyAdminController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  @Post()
  @RequireRole(...POLICY_ACTORS)
  @ApiCreatedResponse({
    type: PolicyProposalResponse,
    description: 'the pending proposal; nothing is in force yet',
  })
  @ApiForbiddenResponse({
    type: ErrorResponse,
    description: 'the policy in force does not let this role propose',
  })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'no such simulation' })
  @ApiConflictResponse({
    type: ErrorResponse,
    description: 'the policy is not the draft the simulation ran, or a proposal of this version is pending',
  })
  propose(@Body() body: ProposePolicyBody, @CurrentPrincipal() by: Principal) {
    return this.commands.execute(
      new PolicyAdoptionStepCommand(by, {
        type: 'propose',
        policy: body.policy,
        note: body.note,
        simulationId: body.simulationId,
      }),
    );
  }

  @Get()
  @RequireRole('reader')
  @ApiOkResponse({ type: PolicyProposalListResponse, description: 'newest first' })
  async list(@QueryString() query: PolicyProposalsQueryDto) {
    return { items: await listPolicyProposals(this.ds, query.status) };
  }

  @Get(':proposalId')
  @RequireRole('reader')
  @ApiOkResponse({ type: PolicyProposalDetailResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@PathId('proposalId') proposalId: string) {
    const p = await getPolicyProposal(this.ds, proposalId);
    if (!p) throw new NotFoundException(`no policy proposal ${proposalId}`);
    return p;
  }

  @Post(':proposalId/approve')
  @HttpCode(200)
  @RequireRole(...POLICY_ACTORS)
  @ApiOkResponse({
    type: PolicyDecisionResponse,
    description: '`adopted` is the version now in force when this approval was the last one needed',
  })
  @ApiForbiddenResponse({
    type: ErrorResponse,
    description: 'the proposer, or a role the policy does not name',
  })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'approved by this principal already, or closed' })
  approve(
    @PathId('proposalId') proposalId: string,
    @Body() _body: NoBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.commands.execute(new PolicyAdoptionStepCommand(by, { type: 'approve', proposalId }));
  }

  @Post(':proposalId/reject')
  @HttpCode(200)
  @RequireRole(...POLICY_ACTORS)
  @ApiOkResponse({ type: PolicyDecisionResponse })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'neither its proposer nor an approving role' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'already closed' })
  reject(
    @PathId('proposalId') proposalId: string,
    @Body() body: RejectPolicyBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.commands.execute(
      new PolicyAdoptionStepCommand(by, { type: 'reject', proposalId, reason: body.reason }),
    );
  }
}
