import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { Command, CommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  approveLimitChange,
  changeStatus,
  grantTemporaryLimit,
  rejectLimitChange,
  rejectOrder,
  releaseOrder,
  requestLimitChange,
  type Actor,
  type CommandResult,
  type CustomerState,
  type GradePolicy,
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

const actor = (p: Principal): Actor => ({ name: p.name, role: p.role });

/** A credit-control decision at instant `at`, by `by` (the policy last: few decisions need it). */
type TimedDecision = (state: CustomerState, by: Actor, at: string, policy: GradePolicy) => CommandResult;

/** What every control command handler shares: decide at the clock's instant, as the principal, through the appender. */
@Injectable()
abstract class ControlCommandHandler<C extends Command<unknown>> {
  constructor(
    private readonly appender: ControlAppender,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Stamps the instant once, so a decision re-run under the append lock sees the same `at`. */
  protected async record(
    c: { customerId: string; by: Principal },
    decide: TimedDecision,
  ): Promise<CommandOutcome> {
    const at = this.clock().toISOString();
    const by = actor(c.by);
    const events = await this.appender.run(c.customerId, (state, policy) => decide(state, by, at, policy));
    return { customerId: c.customerId, events };
  }

  /**
   * For a decision on a pending request: one that found the request stale recorded the expiry; the caller still
   * learns it did not happen.
   */
  protected async recordOnRequest(
    c: { customerId: string; by: Principal; requestId: string },
    decide: TimedDecision,
  ): Promise<CommandOutcome> {
    const outcome = await this.record(c, decide);
    const { events } = outcome;
    if (events.length === 1 && events[0].type === 'LimitChangeExpired') {
      throw new ConflictException(
        `request ${c.requestId} has expired (recorded as sequence ${events[0].sequence})`,
      );
    }
    return outcome;
  }

  /** As ICommandHandler<C> asks: the result the command declares. */
  abstract execute(c: C): Promise<C extends Command<infer R> ? R : never>;
}

@CommandHandler(RequestLimitChangeCommand)
export class RequestLimitChangeHandler extends ControlCommandHandler<RequestLimitChangeCommand> {
  async execute(c: RequestLimitChangeCommand): Promise<CommandOutcome & { requestId: string }> {
    const requestId = c.requestId ?? `LR-${randomUUID()}`;
    const outcome = await this.record(c, (state, by, at, policy) =>
      requestLimitChange(state, policy, by, at, {
        requestId,
        newLimit: amountIn(state, 'newLimit', c.newLimit),
        reason: c.reason,
      }),
    );
    return { customerId: outcome.customerId, requestId, events: outcome.events };
  }
}

@CommandHandler(ApproveLimitChangeCommand)
export class ApproveLimitChangeHandler extends ControlCommandHandler<ApproveLimitChangeCommand> {
  execute(c: ApproveLimitChangeCommand): Promise<CommandOutcome> {
    return this.recordOnRequest(c, (state, by, at) => approveLimitChange(state, by, at, c.requestId));
  }
}

@CommandHandler(RejectLimitChangeCommand)
export class RejectLimitChangeHandler extends ControlCommandHandler<RejectLimitChangeCommand> {
  execute(c: RejectLimitChangeCommand): Promise<CommandOutcome> {
    return this.recordOnRequest(c, (state, by, at) =>
      rejectLimitChange(state, by, at, c.requestId, c.reason),
    );
  }
}

@CommandHandler(GrantTemporaryLimitCommand)
export class GrantTemporaryLimitHandler extends ControlCommandHandler<GrantTemporaryLimitCommand> {
  execute(c: GrantTemporaryLimitCommand): Promise<CommandOutcome> {
    const id = randomUUID();
    return this.record(c, (state, by, at) =>
      grantTemporaryLimit(state, by, at, {
        amount: amountIn(state, 'amount', c.amount),
        expiresAt: c.expiresAt,
        reason: c.reason,
        id,
      }),
    );
  }
}

@CommandHandler(DecideHeldOrderCommand)
export class DecideHeldOrderHandler extends ControlCommandHandler<DecideHeldOrderCommand> {
  execute(c: DecideHeldOrderCommand): Promise<CommandOutcome> {
    const id = randomUUID();
    return this.record(c, (state, by, at) =>
      c.decision === 'release'
        ? releaseOrder(state, by, at, { orderId: c.orderId, reason: c.reason, id })
        : rejectOrder(state, by, at, { orderId: c.orderId, reason: c.reason }),
    );
  }
}

@CommandHandler(ChangeCustomerStatusCommand)
export class ChangeCustomerStatusHandler extends ControlCommandHandler<ChangeCustomerStatusCommand> {
  execute(c: ChangeCustomerStatusCommand): Promise<CommandOutcome> {
    const id = randomUUID();
    return this.record(c, (state, by, at) => changeStatus(state, by, at, c.action, c.reason, id));
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
