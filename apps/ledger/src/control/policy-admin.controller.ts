import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Inject,
  NotFoundException,
  Post,
} from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { DomainError } from '@credit-ledger/domain';
import { PolicyStore, PolicyVersionInfo, adoptPolicy } from '@credit-ledger/ledger-store';
import { ErrorResponse } from '../api/schema';
import { PolicyVersionResponse } from '../audit/audit.dto';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { RequireRole, type Principal } from '../auth/roles';
import { LEDGER_DATA_SOURCE } from '../tokens';
import { AdoptPolicyBody } from './control.dto';

export class AdoptPolicyCommand extends Command<PolicyVersionInfo> {
  constructor(
    readonly policy: Record<string, unknown>,
    readonly by: Principal,
    readonly note?: string,
    readonly simulationId?: string,
  ) {
    super();
  }
}

/** Reuses the audit half's adoption (validated, newer version, in force from the next sequence). */
@CommandHandler(AdoptPolicyCommand)
export class AdoptPolicyHandler implements ICommandHandler<AdoptPolicyCommand> {
  constructor(
    @Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(PolicyStore) private readonly policies: PolicyStore,
  ) {}

  async execute(c: AdoptPolicyCommand): Promise<PolicyVersionInfo> {
    try {
      const info = await adoptPolicy(this.ds, c.policy, {
        createdBy: c.by.name,
        note: c.note,
        simulationId: c.simulationId,
      });
      await this.policies.refresh();
      return info;
    } catch (e) {
      if (e instanceof DomainError && e.code === 'BAD_POLICY') throw new BadRequestException(e.message);
      if (e instanceof DomainError && e.code === 'UNKNOWN_SIMULATION') throw new NotFoundException(e.message);
      if (e instanceof DomainError && e.code === 'SIMULATION_MISMATCH')
        throw new ConflictException(e.message);
      throw e;
    }
  }
}

/** `POST /policy/versions`: changing the credit policy is an admin command that records a new version. */
@ApiTags('policy')
@Controller('policy')
export class PolicyAdminController {
  constructor(private readonly commands: CommandBus) {}

  @Post('versions')
  @RequireRole('admin')
  @ApiCreatedResponse({
    type: PolicyVersionResponse,
    description: 'the adopted version, in force from the next sequence',
  })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'no such simulation' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'the policy is not the draft the simulation ran' })
  adopt(@Body() body: AdoptPolicyBody, @CurrentPrincipal() by: Principal) {
    return this.commands.execute(new AdoptPolicyCommand(body.policy, by, body.note, body.simulationId));
  }
}
