import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  blacklistCustomer,
  decideApproval,
  rejectOrder,
  type Actor,
  type ApprovalCommand,
  type CommandResult,
  type CustomerState,
  type GradePolicy,
} from '@credit-ledger/domain';
import type { Principal } from '../auth/roles';
import { CLOCK } from '../tokens';
import { AppendedEvent, ControlAppender } from './control-appender';

type Clock = () => Date;

export interface CommandOutcome {
  customerId: string;
  events: AppendedEvent[];
}

/** What an approval command answers: the request it concerns and whether the operation is now in force. */
export interface ApprovalOutcome extends CommandOutcome {
  requestId: string;
  /** `pending`: waiting for approvals; `done`: in force (completed, or released directly); or closed. */
  status: 'pending' | 'done' | 'rejected';
}

/**
 * An approval workflow command for one customer. `build` turns the request into the domain command on the
 * customer's state (decimal amounts are read in its currency there: a FieldError answers 400).
 */
export class RunApprovalCommand extends Command<ApprovalOutcome> {
  constructor(
    readonly customerId: string,
    readonly by: Principal,
    readonly requestId: string,
    readonly build: (state: CustomerState) => ApprovalCommand,
  ) {
    super();
  }
}

/**
 * Rejecting a held order or blacklisting: single-person decisions that only take credit away (lifting a
 * blacklist gives it back: an approval request, RunApprovalCommand).
 */
export class DecideDirectlyCommand extends Command<CommandOutcome> {
  constructor(
    readonly customerId: string,
    readonly by: Principal,
    readonly decision:
      { type: 'reject-order'; orderId: string; reason: string } | { type: 'blacklist'; reason: string },
  ) {
    super();
  }
}

const actor = (p: Principal): Actor => ({ name: p.name, role: p.role });

/** Events that put an operation in force (the last approval's, or a direct release below the cap). */
const DONE = new Set(['ApprovalCompleted', 'OrderReleased']);

/** Stamps the instant once, so a decision re-run under the append lock sees the same `at`. */
@Injectable()
export class Decider {
  constructor(
    private readonly appender: ControlAppender,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  run(
    customerId: string,
    decide: (state: CustomerState, at: string, policy: GradePolicy) => CommandResult,
  ): Promise<AppendedEvent[]> {
    const at = this.clock().toISOString();
    return this.appender.run(customerId, (state, policy) => decide(state, at, policy));
  }
}

/** The one handler of the approval workflow: every request, approval and rejection goes through decideApproval. */
@CommandHandler(RunApprovalCommand)
export class RunApprovalHandler implements ICommandHandler<RunApprovalCommand> {
  constructor(private readonly decider: Decider) {}

  async execute(c: RunApprovalCommand): Promise<ApprovalOutcome> {
    const by = actor(c.by);
    const events = await this.decider.run(c.customerId, (state, at, policy) =>
      decideApproval(c.build(state), state, { by, at, policy }),
    );
    // A request made before reminders existed and found stale records its expiry; the caller learns it failed.
    if (events.length === 1 && events[0].type === 'LimitChangeExpired')
      throw new ConflictException(
        `request ${c.requestId} has expired (recorded as sequence ${events[0].sequence})`,
      );
    const status = events.some((e) => DONE.has(e.type))
      ? 'done'
      : events.some((e) => e.type === 'ApprovalRejected')
        ? 'rejected'
        : 'pending';
    return { customerId: c.customerId, requestId: c.requestId, status, events };
  }
}

@CommandHandler(DecideDirectlyCommand)
export class DecideDirectlyHandler implements ICommandHandler<DecideDirectlyCommand> {
  constructor(private readonly decider: Decider) {}

  async execute(c: DecideDirectlyCommand): Promise<CommandOutcome> {
    const by = actor(c.by);
    const d = c.decision;
    const id = randomUUID();
    const events = await this.decider.run(c.customerId, (state, at) =>
      d.type === 'reject-order'
        ? rejectOrder(state, by, at, { orderId: d.orderId, reason: d.reason })
        : blacklistCustomer(state, by, at, d.reason, id),
    );
    return { customerId: c.customerId, events };
  }
}

export const CONTROL_COMMAND_HANDLERS = [Decider, RunApprovalHandler, DecideDirectlyHandler];
