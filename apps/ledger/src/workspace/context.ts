import { BadRequestException, HttpException, Type } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TFunction } from 'i18next';
import type { DataSource } from 'typeorm';
import type { AppConfig, Role } from '@credit-ledger/config';
import type { PersonalDataReader } from '@credit-ledger/personal-data';
import { ApiValidationPipe } from '../api/validation.pipe';
import type { ApiKeyRing } from '../auth/api-key.guard';
import { ROLES_KEY, roleAllowed } from '../auth/roles';
import { Formats, Language, translator } from './i18n';
import type { Session } from './session';

/** What the workspace pages use: the same buses, data source and clock as the API. */
export interface WorkspaceDeps {
  queries: QueryBus;
  commands: CommandBus;
  config: AppConfig;
  clock: () => Date;
  ds: DataSource;
  keys: ApiKeyRing;
  personal: PersonalDataReader;
}

/** Per request: the session, its language and the CSRF token of its forms. */
export interface PageContext {
  session: Session;
  lang: Language;
  t: TFunction;
  f: Formats;
  csrf: string;
  path: string;
  /** Opens sealed personal values for the session's role and logs the read, as the API's interceptor does. */
  open: <T>(value: T) => Promise<T>;
}

declare module 'fastify' {
  interface FastifyRequest {
    workspace: PageContext | null;
  }
}

/**
 * The roles an API handler requires (its @RequireRole): a workspace action checks the very same list, so the
 * page and the API cannot disagree on who may do what.
 */
export function rolesOf<T>(controller: Type<T>, method: keyof T & string): Role[] {
  const roles = Reflect.getMetadata(ROLES_KEY, controller.prototype[method]) as Role[] | undefined;
  if (!roles) throw new Error(`${controller.name}.${method} declares no roles`);
  return roles;
}

export function may<T>(session: Session, controller: Type<T>, method: keyof T & string): boolean {
  return roleAllowed(session.role, rolesOf(controller, method));
}

export function mustMay<T>(session: Session, controller: Type<T>, method: keyof T & string): void {
  const needed = rolesOf(controller, method);
  if (!roleAllowed(session.role, needed)) {
    throw new HttpException(
      `role "${session.role}" may not do this; one of ${needed.join(', ')} is required`,
      403,
    );
  }
}

const pipe = new ApiValidationPipe();

/**
 * A form's fields validated with the API's body DTO (the same class-validator rules, unknown fields refused);
 * the CSRF token field is the form's own and is left out.
 */
export async function formBody<T extends object>(req: FastifyRequest, dto: Type<T>): Promise<T> {
  const raw = (req.body ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new BadRequestException('form expected');
  const { _csrf: _, ...fields } = raw;
  return validBody(fields, dto);
}

/** Fields a page prepared (e.g. a JSON text parsed) validated with the API's body DTO. */
export async function validBody<T extends object>(fields: Record<string, unknown>, dto: Type<T>): Promise<T> {
  return (await pipe.transform(fields, { type: 'body', metatype: dto })) as T;
}

export function pageContext(req: FastifyRequest): PageContext {
  if (!req.workspace) throw new HttpException('not signed in', 401);
  return req.workspace;
}

export function makeContext(
  session: Session,
  lang: Language,
  csrf: string,
  path: string,
  personal: PersonalDataReader,
): PageContext {
  const who = { principal: session.name, role: session.role, purpose: `workspace ${path}` };
  return {
    session,
    lang,
    t: translator(lang),
    f: new Formats(lang),
    csrf,
    path,
    open: (value) => personal.open(value, who),
  };
}

/**
 * Renders a page of the layout with the request's context. Everything a page shows passes through the session's
 * `open` first (one place, like the API's interceptor): personal data appears only for the roles that may see it.
 */
export async function render(
  reply: FastifyReply,
  ctx: PageContext | null,
  view: string,
  data: Record<string, unknown>,
  extra: { lang?: Language; t?: TFunction; csrf?: string; status?: number } = {},
): Promise<FastifyReply> {
  const lang = ctx?.lang ?? extra.lang ?? 'en';
  const shown = ctx ? await ctx.open(data) : data;
  return reply.code(extra.status ?? 200).view(
    view,
    {
      lang,
      t: ctx?.t ?? extra.t ?? translator(lang),
      f: ctx?.f ?? new Formats(lang),
      user: ctx?.session ?? null,
      csrf: ctx?.csrf ?? extra.csrf ?? '',
      path: ctx?.path ?? '/app',
      ...shown,
    },
    { layout: 'layout.eta' },
  );
}

/** Embeds data for the page's script in a non-executed JSON block, safe inside HTML. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
