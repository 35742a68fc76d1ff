import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import type { Role } from '@credit-ledger/config';
import { isApiDto } from '../api/fields';
import { PUBLIC_KEY, ROLES_KEY } from '../auth/roles';

export interface RouteInfo {
  method: string;
  /** Fastify style: /customers/:id/freeze */
  path: string;
  /** Roles the guard lets through ('reader' = every authenticated role); [] when public. */
  roles: Role[];
  public: boolean;
  /** The body DTO (`@Body() body: SomeBody`), null when the handler takes no body. */
  body: Type<object> | null;
  /** The query-string DTO (`@Query() query: SomeQuery`), null when the handler reads none. */
  query: Type<object> | null;
  controller: string;
  handler: string;
}

type Ctor = { name: string; prototype: Record<string, unknown> };

const join = (...parts: string[]): string =>
  '/' +
  parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');

/** The API DTO a handler takes as its whole body or query string (`@Body()` / `@Query()` without a name). */
function dtoOf(ctor: Ctor, name: string, kind: RouteParamtypes): Type<object> | null {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, ctor, name) ?? {}) as Record<
    string,
    { index: number; data?: unknown }
  >;
  const types = (Reflect.getMetadata('design:paramtypes', ctor.prototype, name) ?? []) as unknown[];
  for (const [key, arg] of Object.entries(args)) {
    if (key.split(':')[0] !== String(kind) || arg.data !== undefined) continue;
    const type = types[arg.index];
    if (isApiDto(type)) return type;
  }
  return null;
}

/**
 * Every HTTP route the Nest router serves, read from the controllers' metadata at runtime (so the OpenAPI
 * document and the security suite cover new routes without a list to keep up to date).
 */
export function listRoutes(modules: ModulesContainer): RouteInfo[] {
  const out: RouteInfo[] = [];
  const seen = new Set<unknown>();
  for (const mod of modules.values()) {
    for (const wrapper of mod.controllers.values()) {
      const ctor = wrapper.metatype as unknown as Ctor | null;
      if (!ctor || seen.has(ctor)) continue;
      seen.add(ctor);
      const base = (Reflect.getMetadata(PATH_METADATA, ctor) as string | undefined) ?? '';
      const classRoles = Reflect.getMetadata(ROLES_KEY, ctor) as Role[] | undefined;
      const classPublic = Reflect.getMetadata(PUBLIC_KEY, ctor) === true;
      for (const name of Object.getOwnPropertyNames(ctor.prototype)) {
        const fn = ctor.prototype[name];
        if (name === 'constructor' || typeof fn !== 'function') continue;
        const sub = Reflect.getMetadata(PATH_METADATA, fn) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod | undefined;
        if (sub === undefined || method === undefined) continue;
        const isPublic = Reflect.getMetadata(PUBLIC_KEY, fn) === true || classPublic;
        out.push({
          method: RequestMethod[method],
          path: join(base, sub),
          roles: isPublic
            ? []
            : ((Reflect.getMetadata(ROLES_KEY, fn) as Role[] | undefined) ?? classRoles ?? ['admin']),
          public: isPublic,
          body: dtoOf(ctor, name, RouteParamtypes.BODY),
          query: dtoOf(ctor, name, RouteParamtypes.QUERY),
          controller: ctor.name,
          handler: name,
        });
      }
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
