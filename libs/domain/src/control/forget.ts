/**
 * Forgetting a customer, four eyes: an admin requests it, a different admin approves it. The approval's
 * `CustomerForgotten` event is appended in the transaction that destroys the customer's data key (the app's
 * part); here only what the ledger records and when it may be recorded. Figures, grades and every other event
 * are untouched, so replay reproduces them byte for byte.
 */
import type { Decision } from '../customer/decision';
import type { CustomerState } from '../customer/state';
import { toInstant } from '../dates';
import { ACCEPT, invalid } from './control-decision';
import { controlEvent } from './control-events';
import type { CommandResult } from './credit-control';
import type { Actor } from './limit-approval';
import type { PersonalDataEvent } from './personal-data-events';

/** The role that may request and approve forgetting (two distinct principals of it). */
export const FORGET_ROLE = 'admin';

const fail = (kind: Exclude<CommandResult, { ok: true }>['kind'], message: string): CommandResult => ({
  ok: false,
  kind,
  message,
});

export function decidePersonalData(state: CustomerState, event: PersonalDataEvent): Decision {
  if (state.forgotten !== null) return invalid(`customer ${state.customerId} is already forgotten`);
  switch (event.type) {
    case 'CustomerForgetRequested':
      return state.forgetRequest === null
        ? ACCEPT
        : invalid(`request ${state.forgetRequest.requestId} to forget ${state.customerId} is pending`);
    case 'CustomerForgotten':
      return state.forgetRequest?.requestId === event.payload.requestId &&
        state.forgetRequest.by !== event.payload.approvedBy
        ? ACCEPT
        : invalid(`request ${event.payload.requestId} is not pending or needs another approver`);
  }
}

export function mutatePersonalData(state: CustomerState, event: PersonalDataEvent, occurredAt: string): void {
  switch (event.type) {
    case 'CustomerForgetRequested':
      state.forgetRequest = {
        requestId: event.payload.requestId,
        reason: event.payload.reason,
        by: event.payload.by,
        requestedAt: occurredAt,
      };
      return;
    case 'CustomerForgotten':
      state.forgetRequest = null;
      state.forgotten = {
        requestId: event.payload.requestId,
        at: occurredAt,
        requestedBy: event.payload.requestedBy,
        approvedBy: event.payload.approvedBy,
      };
      return;
  }
}

/** An admin asks to forget the customer; nothing is erased until a second admin approves. */
export function requestForget(
  state: CustomerState,
  actor: Actor,
  at: string,
  requestId: string,
  reason: string,
): CommandResult {
  if (actor.role !== FORGET_ROLE)
    return fail('forbidden', `only an ${FORGET_ROLE} may ask to forget a customer`);
  if (state.forgotten !== null) return fail('conflict', `customer ${state.customerId} is already forgotten`);
  if (state.forgetRequest !== null)
    return fail(
      'conflict',
      `request ${state.forgetRequest.requestId} to forget ${state.customerId} is pending`,
    );
  return {
    ok: true,
    events: [
      controlEvent(
        'CustomerForgetRequested',
        `forget-request:${state.customerId}:${requestId}`,
        state.customerId,
        toInstant(at),
        {
          requestId,
          reason,
          by: actor.name,
          byRole: actor.role,
        },
      ),
    ],
  };
}

/** A second admin, not the requester, approves: the customer is forgotten. */
export function approveForget(
  state: CustomerState,
  actor: Actor,
  at: string,
  requestId: string,
): CommandResult {
  if (actor.role !== FORGET_ROLE)
    return fail('forbidden', `only an ${FORGET_ROLE} may approve forgetting a customer`);
  if (state.forgotten !== null) return fail('conflict', `customer ${state.customerId} is already forgotten`);
  const r = state.forgetRequest;
  if (r === null || r.requestId !== requestId)
    return fail('not-found', `no pending request ${requestId} to forget ${state.customerId}`);
  if (r.by === actor.name)
    return fail('forbidden', `four eyes: ${actor.name} requested it, another ${FORGET_ROLE} must approve`);
  return {
    ok: true,
    events: [
      controlEvent(
        'CustomerForgotten',
        `forgotten:${state.customerId}:${requestId}`,
        state.customerId,
        toInstant(at),
        {
          requestId,
          reason: r.reason,
          requestedBy: r.by,
          approvedBy: actor.name,
          approvedByRole: actor.role,
        },
      ),
    ],
  };
}
