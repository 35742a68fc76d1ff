import { HttpException } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fastifyView from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@credit-ledger/config';
import { PersonalDataReader } from '@credit-ledger/personal-data';
import { MonthlyReports } from '@credit-ledger/projections';
import { ApiKeyRing } from '../auth/api-key.guard';
import { PolicySimulations, PolicySimulationsController } from '../policy/policy-simulations.controller';
import { APP_CONFIG, CLOCK, LEDGER_DATA_SOURCE } from '../tokens';
import { WorkspaceDeps, escapeHtml, makeContext, render } from './context';
import { LANG_COOKIE, isLanguage, languageOf, translator } from './i18n';
import { alertPages } from './pages/alerts';
import { collectionPages } from './pages/collections';
import { customerPages } from './pages/customer';
import { dashboardPages } from './pages/dashboard';
import { queuePages } from './pages/queues';
import { reportPages } from './pages/reports';
import { whatIfPages } from './pages/what-if';
import { WORKSPACE_PATH, endSession, readSession, startSession } from './session';

/** The pages of the workspace, each a function that adds its routes. */
const PAGES: Array<(app: FastifyInstance, deps: WorkspaceDeps) => void> = [
  dashboardPages,
  customerPages,
  queuePages,
  collectionPages,
  alertPages,
];

/** Paths reachable without a session: the sign-in page, static files and the language switch. */
const OPEN = /^\/app\/(sign-in|assets\/|vendor\/|lang\/)/;

const vendorDir = (pkg: string, file: string) => dirname(require.resolve(`${pkg}/${file}`));

/**
 * The finance workspace at /app: server-rendered pages (eta through @fastify/view), htmx for partial updates,
 * ECharts for the charts. It is a Fastify plugin beside the Nest API, not a Nest controller: its routes answer
 * HTML and take forms, are authenticated by a signed session cookie instead of an API key, and carry CSRF
 * protection and a strict Content-Security-Policy that the JSON API does not need. Every action goes through the
 * API's command bus with the API's role lists and body DTOs.
 */
export async function registerWorkspace(app: NestFastifyApplication): Promise<void> {
  const config = app.get<AppConfig>(APP_CONFIG);
  const deps: WorkspaceDeps = {
    queries: app.get(QueryBus),
    commands: app.get(CommandBus),
    config,
    clock: app.get<() => Date>(CLOCK),
    ds: app.get<DataSource>(LEDGER_DATA_SOURCE),
    keys: new ApiKeyRing(config),
    personal: app.get(PersonalDataReader),
  };
  const secret = config.workspace.sessionSecret?.reveal() ?? randomBytes(32).toString('hex');
  await app.register(
    async (scope: FastifyInstance) => {
      await scope.register(fastifyCookie, { secret });
      await scope.register(fastifyFormbody, { bodyLimit: 16 * 1024 });
      await scope.register(fastifyCsrf, {
        sessionPlugin: '@fastify/cookie',
        cookieOpts: { path: WORKSPACE_PATH, signed: true, httpOnly: true, sameSite: 'strict' },
        getToken: (req) => (req.body as { _csrf?: string } | undefined)?._csrf ?? headerToken(req),
      });
      await scope.register(fastifyHelmet, {
        contentSecurityPolicy: {
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'"],
            // ECharts positions its tooltip with inline styles.
            styleSrc: ["'self'", "'unsafe-inline'"],
            imgSrc: ["'self'", 'data:'],
            connectSrc: ["'self'"],
            formAction: ["'self'"],
            frameAncestors: ["'none'"],
          },
        },
      });
      await scope.register(fastifyView, {
        engine: { eta: new Eta({ autoEscape: true, cache: true }) },
        templates: join(__dirname, 'views'),
      });
      await scope.register(fastifyStatic, { root: join(__dirname, 'public'), prefix: '/assets/' });
      await scope.register(fastifyStatic, {
        root: vendorDir('echarts', 'dist/echarts.min.js'),
        prefix: '/vendor/echarts/',
        decorateReply: false,
      });
      await scope.register(fastifyStatic, {
        root: vendorDir('htmx.org', 'dist/htmx.min.js'),
        prefix: '/vendor/htmx/',
        decorateReply: false,
      });
      scope.decorateRequest('workspace', null);

      // Who is asking: a valid session, or (outside the open paths) off to the sign-in page.
      scope.addHook('preHandler', async (req, reply) => {
        if (OPEN.test(req.url)) return;
        const session = readSession(req, deps.clock().getTime());
        if (!session) {
          if (req.headers['hx-request']) {
            await reply.code(401).header('hx-redirect', `${WORKSPACE_PATH}/sign-in`).send();
          } else if (req.method === 'GET') {
            await reply.redirect(`${WORKSPACE_PATH}/sign-in`, 303);
          } else {
            await reply.code(401).type('text/plain').send('not signed in');
          }
          return reply;
        }
        const lang = languageOf(req.cookies[LANG_COOKIE], req.headers['accept-language']);
        req.workspace = makeContext(session, lang, reply.generateCsrf(), req.url, deps.personal);
      });
      // Every state-changing request carries the form's (or htmx's header) CSRF token.
      scope.addHook('preHandler', (req, reply, done) => {
        if (req.method === 'GET' || req.method === 'HEAD') return done();
        scope.csrfProtection(req, reply, done);
      });

      scope.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, req, reply) => {
        const status =
          err instanceof HttpException ? err.getStatus() : (err.statusCode ?? (err.code ? 400 : 500));
        const message =
          err instanceof HttpException ? httpMessage(err) : status < 500 ? err.message : 'internal error';
        if (status >= 500) req.log.error(err);
        const lang =
          req.workspace?.lang ?? languageOf(req.cookies?.[LANG_COOKIE], req.headers['accept-language']);
        const t = translator(lang);
        const title = err.code?.startsWith('FST_CSRF')
          ? t('error.csrf')
          : status === 403
            ? `${t('error.forbidden')} (${message})`
            : message;
        if (req.headers['hx-request']) {
          // The refusal goes to the page's flash area, whichever element asked.
          return reply
            .code(status)
            .header('hx-retarget', '#flash')
            .header('hx-reswap', 'innerHTML')
            .type('text/html')
            .send(`<p class="flash error" role="alert">${escapeHtml(title)}</p>`);
        }
        return render(
          reply,
          req.workspace,
          'error.eta',
          { title: t('error.title'), status, message: title, detail: message },
          { lang, status },
        );
      });

      scope.get('/', async (_req, reply) => reply.redirect(`${WORKSPACE_PATH}/dashboard`, 303));

      scope.get('/sign-in', async (req, reply) => {
        const lang = languageOf(req.cookies[LANG_COOKIE], req.headers['accept-language']);
        return render(
          reply,
          null,
          'sign-in.eta',
          { title: translator(lang)('signIn.title'), error: null },
          { lang, csrf: reply.generateCsrf() },
        );
      });

      scope.post('/sign-in', async (req, reply) => {
        const lang = languageOf(req.cookies[LANG_COOKIE], req.headers['accept-language']);
        const t = translator(lang);
        const key = (req.body as { key?: unknown } | undefined)?.key;
        const principal = typeof key === 'string' && key.length > 0 ? deps.keys.principal(key) : null;
        if (!principal) {
          return render(
            reply,
            null,
            'sign-in.eta',
            { title: t('signIn.title'), error: t('signIn.refused') },
            { lang, csrf: reply.generateCsrf(), status: 401 },
          );
        }
        startSession(req, reply, principal, config.workspace.sessionTtlMinutes, deps.clock().getTime());
        req.log.info({ principal: principal.name, role: principal.role }, 'workspace sign-in');
        return reply.redirect(`${WORKSPACE_PATH}/dashboard`, 303);
      });

      scope.post('/sign-out', async (_req, reply) => {
        endSession(reply);
        return reply.redirect(`${WORKSPACE_PATH}/sign-in`, 303);
      });

      // The language is a preference, not a privilege: a plain link sets it, back to the page it came from.
      scope.get<{ Params: { lng: string }; Querystring: { next?: string } }>(
        '/lang/:lng',
        async (req, reply) => {
          if (!isLanguage(req.params.lng)) throw new HttpException(`unknown language ${req.params.lng}`, 404);
          void reply.setCookie(LANG_COOKIE, req.params.lng, {
            path: WORKSPACE_PATH,
            sameSite: 'lax',
            maxAge: 365 * 86400,
          });
          const next = req.query.next;
          const back =
            typeof next === 'string' && /^\/app(\/[\w\-./?=&%]*)?$/.test(next)
              ? next
              : `${WORKSPACE_PATH}/dashboard`;
          return reply.redirect(back, 303);
        },
      );

      for (const page of PAGES) page(scope, deps);
      reportPages(scope, deps, app.get(MonthlyReports));
      whatIfPages(scope, deps, app.get(PolicySimulations), app.get(PolicySimulationsController));
    },
    { prefix: WORKSPACE_PATH },
  );
}

function headerToken(req: FastifyRequest): string {
  const h = req.headers['x-csrf-token'];
  return typeof h === 'string' ? h : '';
}

function httpMessage(err: HttpException): string {
  const body = err.getResponse();
  const m = typeof body === 'string' ? body : (body as { message?: unknown }).message;
  return Array.isArray(m) ? m.join('; ') : String(m ?? err.message);
}
