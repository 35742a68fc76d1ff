import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, mergeMap } from 'rxjs';
import { PersonalDataReader } from '@credit-ledger/personal-data';
import type { AuthedRequest } from '../auth/api-key.guard';

/**
 * Every answer of the API leaves through here: sealed personal values in it are opened for the caller's role
 * (or shown `[restricted]` / `[erased]`) and the read is logged. One place, so no route can forget it.
 */
@Injectable()
export class PersonalDataInterceptor implements NestInterceptor {
  constructor(@Inject(PersonalDataReader) private readonly reader: PersonalDataReader) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest & { method: string; url: string }>();
    return next.handle().pipe(
      mergeMap((body: unknown) => {
        const p = req.principal;
        // Public routes (health, docs assets) carry no customer data: nothing to open for nobody.
        if (!p) return Promise.resolve(body);
        return this.reader.open(body, {
          principal: p.name,
          role: p.role,
          purpose: `${req.method} ${req.url}`,
        });
      }),
    );
  }
}
