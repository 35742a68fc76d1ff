import { createParamDecorator, ExecutionContext, UnauthorizedException } from '@nestjs/common';
import type { AuthedRequest } from './api-key.guard';
import type { Principal } from './roles';

/** The principal the guard authenticated (commands record it in the events they append). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const p = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  if (!p) throw new UnauthorizedException('no authenticated principal');
  return p;
});
