import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  DomainError,
  parseAmount,
  recordCollectionAction,
  type CollectionAction,
} from '@credit-ledger/domain';
import type { Principal } from '../auth/roles';
import { CommandOutcome, Decider } from '../control/commands';

/** What the person working a collection task did: a contact, a promise to pay, or closing the task. */
export class RecordCollectionActionCommand extends Command<CommandOutcome> {
  constructor(
    readonly customerId: string,
    readonly by: Principal,
    readonly input: {
      taskId: string;
      action: CollectionAction;
      note: string;
      promisedOn?: string;
      /** Decimal major units of the customer's currency. */
      promisedAmount?: string;
    },
  ) {
    super();
  }
}

/** Decided on the customer's current state under the append lock (recordCollectionAction, pure). */
@CommandHandler(RecordCollectionActionCommand)
export class RecordCollectionActionHandler implements ICommandHandler<RecordCollectionActionCommand> {
  constructor(private readonly decider: Decider) {}

  async execute(c: RecordCollectionActionCommand): Promise<CommandOutcome> {
    const { promisedAmount, ...input } = c.input;
    const id = randomUUID();
    const events = await this.decider.run(c.customerId, (state, at) => {
      let amount: bigint | undefined;
      if (promisedAmount !== undefined) {
        try {
          amount = parseAmount(promisedAmount, state.currency ?? 'XXX');
        } catch (e) {
          if (e instanceof DomainError) return { ok: false, kind: 'bad-request', message: e.message };
          throw e;
        }
      }
      return recordCollectionAction(
        state,
        { name: c.by.name, role: c.by.role },
        at,
        { ...input, ...(amount === undefined ? {} : { promisedAmount: amount }) },
        id,
      );
    });
    return { customerId: c.customerId, events };
  }
}
