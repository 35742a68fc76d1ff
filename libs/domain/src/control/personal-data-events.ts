/**
 * Forgetting a customer (docs/personal-data.md): an admin asks, a second admin approves (four eyes), and the
 * customer's data key is destroyed with the `CustomerForgotten` event. Registered into the control-event union
 * in control-events.ts. No personal value is in them: `by`, `requestedBy`, `approvedBy` are principals.
 */
import type { StoredFields } from './stored-fields';

export const PERSONAL_DATA_EVENT_TYPES = ['CustomerForgetRequested', 'CustomerForgotten'] as const;
export type PersonalDataEventType = (typeof PERSONAL_DATA_EVENT_TYPES)[number];

export interface CustomerForgetRequestedPayload {
  requestId: string;
  reason: string;
  by: string;
  byRole: string;
}

export interface CustomerForgottenPayload {
  requestId: string;
  reason: string;
  requestedBy: string;
  approvedBy: string;
  approvedByRole: string;
}

export interface PersonalDataPayloadMap {
  CustomerForgetRequested: CustomerForgetRequestedPayload;
  CustomerForgotten: CustomerForgottenPayload;
}

export type PersonalDataEvent = {
  [T in PersonalDataEventType]: { type: T; payload: PersonalDataPayloadMap[T] };
}[PersonalDataEventType];

const SET: ReadonlySet<string> = new Set(PERSONAL_DATA_EVENT_TYPES);

export function isPersonalDataType(type: string): type is PersonalDataEventType {
  return SET.has(type);
}

export function isPersonalDataEvent<E extends { type: string }>(event: E): event is E & PersonalDataEvent {
  return SET.has(event.type);
}

/** Alerts of forgetting go to their own topic: downstream systems holding copies erase theirs. */
export const PERSONAL_DATA_TOPICS: Record<PersonalDataEventType, string> = {
  CustomerForgetRequested: 'credit.alerts.personal-data',
  CustomerForgotten: 'credit.alerts.personal-data',
};

export function storedPersonalDataPayload(event: PersonalDataEvent): Record<string, unknown> {
  return { ...event.payload };
}

export function personalDataPayloadFromStored(
  type: PersonalDataEventType,
  f: StoredFields,
): PersonalDataEvent['payload'] {
  switch (type) {
    case 'CustomerForgetRequested':
      return {
        requestId: f.str('requestId'),
        reason: f.str('reason'),
        by: f.str('by'),
        byRole: f.str('byRole'),
      };
    case 'CustomerForgotten':
      return {
        requestId: f.str('requestId'),
        reason: f.str('reason'),
        requestedBy: f.str('requestedBy'),
        approvedBy: f.str('approvedBy'),
        approvedByRole: f.str('approvedByRole'),
      };
  }
}
