import { SetMetadata } from '@nestjs/common';
import type { Role } from '@credit-ledger/config';

export const ROLES_KEY = 'credit-ledger:roles';
export const PUBLIC_KEY = 'credit-ledger:public';

/**
 * Roles allowed to call the handler: ANY of them (roles are not a hierarchy — a cfo is not a sales-manager).
 * `RequireRole('reader')` marks a read, open to every authenticated role. Without the decorator only admin passes.
 */
export const RequireRole = (...roles: [Role, ...Role[]]) => SetMetadata(ROLES_KEY, roles);
/**
 * The roles that request and approve credit operations (seed 004). admin is not one of them: it administers and
 * never grants credit. Which of them must approve a given request is the policy's routing, decided per request.
 */
export const APPROVERS: [Role, ...Role[]] = [
  'sales-manager',
  'finance-clerk',
  'finance-manager',
  'cfo',
  'general-manager',
];
/**
 * Who may reach the policy adoption routes (propose, approve, reject): every role but reader. Which of them may
 * propose or approve is the policy in force's to say (`approvals.policyProposers`, `approvals.policyApproval`).
 */
export const POLICY_ACTORS: [Role, ...Role[]] = ['admin', ...APPROVERS];
/** Blacklisting and lifting it: the managers. */
export const BLACKLISTERS: [Role, ...Role[]] = ['finance-manager', 'cfo', 'general-manager'];

/** Reachable without credentials (health only). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Who called: the API key's principal name, its role and a short fingerprint of the key (never the key). */
export interface Principal {
  name: string;
  role: Role;
  keyId: string;
}

/** Whether `role` may call a handler that requires `needed`. */
export function roleAllowed(role: Role, needed: readonly Role[]): boolean {
  return needed.includes('reader') || needed.includes(role);
}
