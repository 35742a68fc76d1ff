import { SetMetadata } from '@nestjs/common';
import type { Role } from '@credit-ledger/config';

export const ROLES_KEY = 'credit-ledger:roles';
export const PUBLIC_KEY = 'credit-ledger:public';

/** Lowest role that may call the handler; higher roles inherit (reader < finance < admin). */
export const RequireRole = (role: Role) => SetMetadata(ROLES_KEY, role);
/** Reachable without credentials (health only). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const ROLE_RANK: Record<Role, number> = { reader: 1, finance: 2, admin: 3 };
