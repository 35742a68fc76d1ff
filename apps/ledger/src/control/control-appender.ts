import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import {
  checkAmount,
  currencyExponent,
  type CommandResult,
  type ControlEvent,
  type CustomerState,
  type GradePolicy,
} from '@credit-ledger/domain';
import { LedgerWriter, type InTransaction } from '@credit-ledger/ledger-store';

export type ControlDecision = (state: CustomerState, policy: GradePolicy) => CommandResult;

export interface AppendedEvent {
  sequence: string;
  type: string;
  eventId: string;
}

/** Thrown inside a decision to answer 400 for a field only the customer's state can check (currency digits). */
export class FieldError extends Error {}

/** A decimal string in minor units of the customer's currency, or a FieldError naming the field. */
export function amountIn(state: CustomerState, field: string, text: string): bigint {
  const currency = state.currency ?? 'XXX';
  const r = checkAmount(text, currency, currencyExponent(currency));
  if (!r.ok) throw new FieldError(`${field}: ${r.message}`);
  return r.value;
}

function toHttp(kind: Exclude<CommandResult, { ok: true }>['kind'], message: string): HttpException {
  switch (kind) {
    case 'not-found':
      return new NotFoundException(message);
    case 'forbidden':
      return new ForbiddenException(message);
    case 'conflict':
      return new ConflictException(message);
    case 'bad-request':
      return new BadRequestException(message);
  }
}

/**
 * Runs a credit-control decision through the LedgerWriter (the only writer): the decision is evaluated on the
 * customer's current state under the append lock and its events appended in one transaction, or the refusal is
 * turned into the HTTP error it names. Nothing is written when the decision refuses.
 */
@Injectable()
export class ControlAppender {
  constructor(@Inject(LedgerWriter) private readonly writer: LedgerWriter) {}

  /** `alsoInTransaction`: commits or rolls back with the events (e.g. destroying a data key). */
  async run(
    customerId: string,
    decision: ControlDecision,
    alsoInTransaction?: InTransaction,
  ): Promise<AppendedEvent[]> {
    let refusal: HttpException | null = null;
    let expected = 0;
    const result = await this.writer.appendControl(
      [customerId],
      (state, policy) => {
        refusal = null;
        let r: CommandResult;
        try {
          r = decision(state, policy);
        } catch (e) {
          if (e instanceof FieldError) r = { ok: false, kind: 'bad-request', message: e.message };
          else throw e;
        }
        if (!r.ok) {
          refusal = toHttp(r.kind, r.message);
          return [];
        }
        expected = r.events.length;
        return r.events;
      },
      alsoInTransaction,
    );
    if (refusal !== null) throw refusal;
    if (result.evaluated === 0 && result.appended === 0 && expected === 0)
      throw new NotFoundException(`customer ${customerId} is not in the ledger`);
    if (result.appended < expected)
      throw new ConflictException(
        `customer ${customerId} changed meanwhile; nothing or not all was recorded, retry`,
      );
    return result.events.map((e: { sequence: string; event: ControlEvent }) => ({
      sequence: e.sequence,
      type: e.event.type,
      eventId: e.event.eventId,
    }));
  }
}
