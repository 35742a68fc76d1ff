import { ConflictException, Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  approveLimitChange,
  changeStatus,
  grantTemporaryLimit,
  rejectLimitChange,
  rejectOrder,
  releaseOrder,
  requestLimitChange,
  type StatusAction,
} from '@credit-ledger/domain';
import type { Principal } from '../auth/roles';
import { CLOCK } from '../tokens';
import { AppendedEvent, ControlAppender, amountIn } from './control-appender';

type Clock = () => Date;

export interface CommandOutcome {
  customerId: string;
  events: AppendedEvent[];
}

export class RequestLimitChangeCommand extends Command<CommandOutcome & { requestId: string }> {
  constructor(
    readonly customerId: string,
    readonly by: Principal,
    readonly newLimit: string,
    readonly reason: string,
    readonly requestId?: string,
  ) {
    super();
  }
}

export class ApproveLimitChangeCommand extends Command<CommandOutcome> {
  constructor(
    readonly customerId: string,
    readonly by: Principal,
    readonly requestId: string,
  ) {
    super();
  }
}

export class RejectLimitChangeCommand extends Command<CommandOutcome> {
  constructor(
    readonly customerId: string,
    readonly by: Principal,
    readonly requestId: string,
    readonly reason: string,
  ) {
    super();
  }
}

export class GrantTemporaryLimitCommand extends Command<CommandOutcome> {
  constructor(
    readonly customerId: string,
    readonly by: Principal,
    readonly amount: string,
    readonly expiresAt: string,
    readonly reason: string,
  ) {
    super();
  }
}

export class DecideHeldOrderCommand extends Command<CommandOutcome> {
  constructor(
    readonly customerId: string,
    readonly by: Principal,
    readonly orderId: string,
    readonly decision: 'release' | 'reject',
    readonly reason: string,
  ) {
    super();
  }
}

export class ChangeCustomerStatusCommand extends Command<CommandOutcome> {
  constructor(
    readonly customerId: string,
    readonly by: Principal,
    readonly action: StatusAction,
    readonly reason: string,
  ) {
    super();
  }
}

const actor = (p: Principal) => ({ name: p.name, role: p.role });

@CommandHandler(RequestLimitChangeCommand)
export class RequestLimitChangeHandler implements ICommandHandler<RequestLimitChangeCommand> {
  constructor(
    private readonly appender: ControlAppender,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(c: RequestLimitChangeCommand): Promise<CommandOutcome & { requestId: string }> {
    const requestId = c.requestId ?? `LR-${randomUUID()}`;
    const at = this.clock().toISOString();
    const events = await this.appender.run(c.customerId, (state, policy) =>
      requestLimitChange(state, policy, actor(c.by), at, {
        requestId,
        newLimit: amountIn(state, 'newLimit', c.newLimit),
        reason: c.reason,
      }),
    );
    return { customerId: c.customerId, requestId, events };
  }
}

@CommandHandler(ApproveLimitChangeCommand)
export class ApproveLimitChangeHandler implements ICommandHandler<ApproveLimitChangeCommand> {
  constructor(
    private readonly appender: ControlAppender,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(c: ApproveLimitChangeCommand): Promise<CommandOutcome> {
    const at = this.clock().toISOString();
    const events = await this.appender.run(c.customerId, (state) =>
      approveLimitChange(state, actor(c.by), at, c.requestId),
    );
    return expiredIsConflict(c.customerId, c.requestId, events);
  }
}

@CommandHandler(RejectLimitChangeCommand)
export class RejectLimitChangeHandler implements ICommandHandler<RejectLimitChangeCommand> {
  constructor(
    private readonly appender: ControlAppender,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(c: RejectLimitChangeCommand): Promise<CommandOutcome> {
    const at = this.clock().toISOString();
    const events = await this.appender.run(c.customerId, (state) =>
      rejectLimitChange(state, actor(c.by), at, c.requestId, c.reason),
    );
    return expiredIsConflict(c.customerId, c.requestId, events);
  }
}

/** A command that found its request stale recorded the expiry; the caller still learns it did not happen. */
function expiredIsConflict(customerId: string, requestId: string, events: AppendedEvent[]): CommandOutcome {
  if (events.length === 1 && events[0].type === 'LimitChangeExpired') {
    throw new ConflictException(
      `request ${requestId} has expired (recorded as sequence ${events[0].sequence})`,
    );
  }
  return { customerId, events };
}

@CommandHandler(GrantTemporaryLimitCommand)
export class GrantTemporaryLimitHandler implements ICommandHandler<GrantTemporaryLimitCommand> {
  constructor(
    private readonly appender: ControlAppender,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(c: GrantTemporaryLimitCommand): Promise<CommandOutcome> {
    const at = this.clock().toISOString();
    const id = randomUUID();
    const events = await this.appender.run(c.customerId, (state) =>
      grantTemporaryLimit(state, actor(c.by), at, {
        amount: amountIn(state, 'amount', c.amount),
        expiresAt: c.expiresAt,
        reason: c.reason,
        id,
      }),
    );
    return { customerId: c.customerId, events };
  }
}

@CommandHandler(DecideHeldOrderCommand)
export class DecideHeldOrderHandler implements ICommandHandler<DecideHeldOrderCommand> {
  constructor(
    private readonly appender: ControlAppender,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(c: DecideHeldOrderCommand): Promise<CommandOutcome> {
    const at = this.clock().toISOString();
    const id = randomUUID();
    const events = await this.appender.run(c.customerId, (state) =>
      c.decision === 'release'
        ? releaseOrder(state, actor(c.by), at, { orderId: c.orderId, reason: c.reason, id })
        : rejectOrder(state, actor(c.by), at, { orderId: c.orderId, reason: c.reason }),
    );
    return { customerId: c.customerId, events };
  }
}

@CommandHandler(ChangeCustomerStatusCommand)
export class ChangeCustomerStatusHandler implements ICommandHandler<ChangeCustomerStatusCommand> {
  constructor(
    private readonly appender: ControlAppender,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(c: ChangeCustomerStatusCommand): Promise<CommandOutcome> {
    const at = this.clock().toISOString();
    const id = randomUUID();
    const events = await this.appender.run(c.customerId, (state) =>
      changeStatus(state, actor(c.by), at, c.action, c.reason, id),
    );
    return { customerId: c.customerId, events };
  }
}

export const CONTROL_COMMAND_HANDLERS = [
  RequestLimitChangeHandler,
  ApproveLimitChangeHandler,
  RejectLimitChangeHandler,
  GrantTemporaryLimitHandler,
  DecideHeldOrderHandler,
  ChangeCustomerStatusHandler,
];
