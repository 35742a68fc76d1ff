import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppConfig, Role } from '@credit-ledger/config';
import { APP_CONFIG } from '../tokens';
import { PUBLIC_KEY, Principal, ROLES_KEY, roleAllowed } from './roles';

export interface AuthedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** The configured API keys, compared as SHA-256 digests in constant time (the guard and the workspace sign-in). */
export class ApiKeyRing {
  private readonly keys: Array<Principal & { digest: Buffer }>;

  constructor(config: AppConfig) {
    this.keys = config.apiKeys.map((k, i) => ({
      name: k.name ?? `${k.role}-${i + 1}`,
      role: k.role,
      digest: digest(k.key),
      keyId: digest(k.key).toString('hex').slice(0, 8),
    }));
  }

  /** The key's principal, or null for an unknown key. */
  principal(presented: string): Principal | null {
    const d = digest(presented);
    const match = this.keys.find((k) => timingSafeEqual(k.digest, d));
    return match ? { name: match.name, role: match.role, keyId: match.keyId } : null;
  }
}

/**
 * API-key authentication (`Authorization: Bearer <key>` or `X-API-Key`) with roles. Keys are compared as
 * SHA-256 digests in constant time; the principal is the key's name (API_KEYS `role:name:key`), its role and a
 * short key fingerprint, never the key.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: ApiKeyRing;

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keys = new ApiKeyRing(config);
  }

  canActivate(ctx: ExecutionContext): boolean {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const needed = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? ['admin'];
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const presented = this.presentedKey(req);
    if (!presented) {
      throw new UnauthorizedException('missing credentials: send "Authorization: Bearer <api key>"');
    }
    const match = this.keys.principal(presented);
    if (!match) throw new UnauthorizedException('unknown API key');
    if (!roleAllowed(match.role, needed)) {
      throw new ForbiddenException(
        `role "${match.role}" may not do this; one of ${needed.join(', ')} is required`,
      );
    }
    req.principal = match;
    return true;
  }

  private presentedKey(req: AuthedRequest): string | null {
    const auth = req.headers['authorization'];
    if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
    const header = req.headers['x-api-key'];
    return typeof header === 'string' && header ? header : null;
  }
}
