import { Body, Controller, Get, HttpCode, Inject, Post, Query as QueryString } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { PersonalDataReader } from '@credit-ledger/personal-data';
import { PathId } from '../api/path-params';
import { ErrorResponse } from '../api/schema';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { RequireRole, type Principal } from '../auth/roles';
import { CommandOutcomeResponse, NoBody } from '../control/control.dto';
import { ApproveForgetCommand, RequestForgetCommand } from './forget.commands';
import {
  AccessLogQueryDto,
  AccessLogResponse,
  ForgetRequestBody,
  ForgetRequestOutcomeResponse,
} from './personal-data.dto';

/**
 * Forgetting a customer (admin asks, another admin approves: four eyes) and the access log of personal data
 * (admin only). docs/personal-data.md.
 */
@ApiTags('personal data')
@Controller()
export class PersonalDataController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(PersonalDataReader) private readonly reader: PersonalDataReader,
  ) {}

  @Post('customers/:id/forget-requests')
  @RequireRole('admin')
  @ApiCreatedResponse({ type: ForgetRequestOutcomeResponse, description: 'nothing is erased until approved' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'already forgotten, or a request is pending' })
  requestForget(
    @PathId('id', 'customer id') customerId: string,
    @Body() body: ForgetRequestBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.commands.execute(new RequestForgetCommand(customerId, by, body.reason, body.requestId));
  }

  @Post('customers/:id/forget-requests/:requestId/approve')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOkResponse({
    type: CommandOutcomeResponse,
    description: "appends CustomerForgotten and destroys the customer's data key",
  })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'the requester may not approve (four eyes)' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'already forgotten' })
  approveForget(
    @PathId('id', 'customer id') customerId: string,
    @PathId('requestId') requestId: string,
    @Body() _body: NoBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.commands.execute(new ApproveForgetCommand(customerId, by, requestId));
  }

  @Get('personal-data/access-log')
  @RequireRole('admin')
  @ApiOkResponse({ type: AccessLogResponse })
  async accessLog(@QueryString() query: AccessLogQueryDto): Promise<AccessLogResponse> {
    return { items: await this.reader.accessLog(query) };
  }
}
