import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { approveForget, requestForget } from '@credit-ledger/domain';
import { PersonalDataKeys } from '@credit-ledger/personal-data';
import type { Principal } from '../auth/roles';
import { ControlAppender } from '../control/control-appender';
import type { CommandOutcome } from '../control/commands';
import { CLOCK } from '../tokens';

type Clock = () => Date;

export class RequestForgetCommand extends Command<CommandOutcome & { requestId: string }> {
  constructor(
    readonly customerId: string,
    readonly by: Principal,
    readonly reason: string,
    readonly requestId?: string,
  ) {
    super();
  }
}

export class ApproveForgetCommand extends Command<CommandOutcome> {
  constructor(
    readonly customerId: string,
    readonly by: Principal,
    readonly requestId: string,
  ) {
    super();
  }
}

@CommandHandler(RequestForgetCommand)
export class RequestForgetHandler implements ICommandHandler<RequestForgetCommand> {
  constructor(
    @Inject(ControlAppender) private readonly appender: ControlAppender,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(c: RequestForgetCommand): Promise<CommandOutcome & { requestId: string }> {
    const requestId = c.requestId ?? `FR-${randomUUID()}`;
    const at = this.clock().toISOString();
    const events = await this.appender.run(c.customerId, (state) =>
      requestForget(state, { name: c.by.name, role: c.by.role }, at, requestId, c.reason),
    );
    return { customerId: c.customerId, requestId, events };
  }
}

/**
 * The second admin's approval: `CustomerForgotten` is appended and the customer's data key destroyed (with
 * the erasure recorded) in one transaction, so there is never a forgotten customer whose key still opens.
 */
@CommandHandler(ApproveForgetCommand)
export class ApproveForgetHandler implements ICommandHandler<ApproveForgetCommand> {
  constructor(
    @Inject(ControlAppender) private readonly appender: ControlAppender,
    @Inject(PersonalDataKeys) private readonly keys: PersonalDataKeys,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(c: ApproveForgetCommand): Promise<CommandOutcome> {
    const at = this.clock().toISOString();
    const events = await this.appender.run(
      c.customerId,
      (state) => approveForget(state, { name: c.by.name, role: c.by.role }, at, c.requestId),
      async (q, appended) => {
        for (const { event } of appended) {
          if (event.type !== 'CustomerForgotten') continue;
          await this.keys.destroy(q, {
            customerId: event.customerId,
            requestId: event.payload.requestId,
            requestedBy: event.payload.requestedBy,
            approvedBy: event.payload.approvedBy,
            reason: event.payload.reason,
          });
        }
      },
    );
    return { customerId: c.customerId, events };
  }
}

export const FORGET_COMMAND_HANDLERS = [RequestForgetHandler, ApproveForgetHandler];
