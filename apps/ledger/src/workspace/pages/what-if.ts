import { BadRequestException, HttpException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { GradePolicy, WhatIfSummary } from '@credit-ledger/domain';
import type { SimulationInfo } from '@credit-ledger/projections';
import { GetPolicyQuery } from '../../audit/queries';
import { PolicySimulations, PolicySimulationsController } from '../../policy/policy-simulations.controller';
import { SimulatePolicyBody } from '../../policy/policy-simulations.dto';
import { barChart, heatmapChart, type ChartOption } from '../charts';
import {
  PageContext,
  WorkspaceDeps,
  jsonForScript,
  may,
  mustMay,
  pageContext,
  render,
  validBody,
} from '../context';
import { asOfInstant } from './customer';

const SIM_ID = /^sim-[0-9a-f-]{36}$/;
/** Customers named in the released / held lists on the page (the CSV has them all). */
const LISTED = 100;

/**
 * What-if (issue #19) in the browser: pick a simulation of a draft grading policy or start one (the API's
 * `POST /policy/simulations`: its role list and body DTO), follow its progress, then see the grade migration as a
 * from × to heatmap, the grade distribution before and after, the exposure held back by cash-only grades per
 * currency and the customers whose held orders re-grading would release or hold. The downloads are the API
 * handler's own answers (per-customer CSV, the canonical result document).
 */
export function whatIfPages(
  app: FastifyInstance,
  deps: WorkspaceDeps,
  simulations: PolicySimulations,
  api: PolicySimulationsController,
): void {
  const store = simulations.store;

  app.get<{ Querystring: { simulation?: string; from?: string } }>('/what-if', async (req, reply) => {
    const ctx = pageContext(req);
    const mayStart =
      may(ctx.session, PolicySimulationsController, 'start') &&
      (await simulations.mayStart(ctx.session)) === null;
    const list = await store.list(20);
    const picked = req.query.simulation ? await found(req.query.simulation) : null;
    // The draft offered for editing: an earlier run's (picked with "use this draft"), else the policy in force.
    const template = req.query.from
      ? ((await store.draftOf(checked(req.query.from)))?.draft ?? null)
      : ((await deps.queries.execute(new GetPolicyQuery())) as { policy: GradePolicy }).policy;
    const view = picked?.status === 'done' ? await results(ctx, picked) : null;
    return render(reply, ctx, 'what-if.eta', {
      title: ctx.t('whatIf.title'),
      list,
      sim: picked,
      mayStart,
      draft: mayStart && template ? JSON.stringify(template, null, 2) : '',
      view,
      charts: jsonForScript(view?.charts ?? {}),
    });
  });

  // A policy document is larger than the workspace's other forms (16 KiB): up to 256 KiB, as the JSON API takes.
  app.post('/what-if', { bodyLimit: 256 * 1024 }, async (req, reply) => {
    const ctx = pageContext(req);
    mustMay(ctx.session, PolicySimulationsController, 'start');
    const raw = (req.body ?? {}) as { policy?: unknown; asOf?: unknown };
    let policy: unknown;
    try {
      policy = JSON.parse(typeof raw.policy === 'string' ? raw.policy : '');
    } catch (e) {
      throw new BadRequestException(`the draft policy is not JSON: ${(e as Error).message}`);
    }
    const asOf = typeof raw.asOf === 'string' && raw.asOf !== '' ? asOfInstant(raw.asOf) : undefined;
    const body = await validBody({ policy, ...(asOf ? { asOf } : {}) }, SimulatePolicyBody);
    const sim = await simulations.start(body.policy, ctx.session, { asOf: body.asOf });
    return goTo(reply, `/app/what-if?simulation=${sim.simulationId}`, !!req.headers['hx-request']);
  });

  // Progress while it runs (htmx polls this fragment); once it is over, the page itself shows the result.
  app.get<{ Params: { id: string } }>('/what-if/:id/status', async (req, reply) => {
    const ctx = pageContext(req);
    const sim = await found(req.params.id);
    if (sim.status !== 'running') return goTo(reply, `/app/what-if?simulation=${sim.simulationId}`, true);
    return reply.view('what-if-status.eta', { t: ctx.t, f: ctx.f, sim });
  });

  // The downloads: what GET /policy/simulations/:id/customers (CSV) and …/result answer, by the same handler.
  app.get<{ Params: { id: string } }>('/what-if/:id/customers.csv', async (req, reply) => {
    const ctx = pageContext(req);
    mustMay(ctx.session, PolicySimulationsController, 'customers');
    const id = checked(req.params.id);
    const csv = await api.customers(id, { limit: 100_000, offset: 0 }, 'text/csv', reply);
    return reply.send(csv);
  });

  app.get<{ Params: { id: string } }>('/what-if/:id/result.json', async (req, reply) => {
    const ctx = pageContext(req);
    mustMay(ctx.session, PolicySimulationsController, 'result');
    const id = checked(req.params.id);
    const document = await api.result(id, reply);
    void reply.header('content-disposition', `attachment; filename="${id}.json"`);
    return reply.send(document);
  });

  async function found(id: string): Promise<SimulationInfo> {
    const sim = await store.get(checked(id));
    if (!sim) throw new HttpException(`no simulation ${id}`, 404);
    return sim;
  }

  /** The charts and tables of a finished run, from its stored summary (what GET /policy/simulations/:id answers). */
  async function results(ctx: PageContext, sim: SimulationInfo) {
    const { t } = ctx;
    const summary = sim.summary as WhatIfSummary;
    const draft = (await store.draftOf(sim.simulationId))?.draft as GradePolicy | undefined;
    const current = ((await deps.queries.execute(new GetPolicyQuery())) as { policy: GradePolicy }).policy;
    const grades = gradeOrder(summary, [draft, current]);
    const before = grades.map((g) => Object.values(summary.migration[g] ?? {}).reduce((n, c) => n + c, 0));
    const after = grades.map((g) =>
      Object.values(summary.migration).reduce((n, row) => n + (row[g] ?? 0), 0),
    );
    const cells: Array<[number, number, number]> = [];
    for (const [from, row] of Object.entries(summary.migration)) {
      for (const [to, n] of Object.entries(row)) cells.push([grades.indexOf(to), grades.indexOf(from), n]);
    }
    cells.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    const charts: Record<string, ChartOption> = {
      'chart-migration': heatmapChart(
        t('whatIf.migration'),
        { x: grades, y: grades, xName: t('whatIf.to'), yName: t('whatIf.from') },
        cells,
        t('whatIf.customers'),
      ),
      'chart-distribution': barChart(t('whatIf.distribution'), grades, [
        { name: t('whatIf.before'), data: before },
        { name: t('whatIf.after'), data: after },
      ]),
    };
    return {
      charts,
      summary,
      currencies: Object.entries(summary.byCurrency)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([currency, c]) => ({ currency, ...c })),
      released: summary.customersReleased.slice(0, LISTED),
      held: summary.customersHeld.slice(0, LISTED),
      // Runs stored before approvals were simulated have none.
      approvals: summary.approvals ?? null,
      routes: summary.approvals ? approvalRoutes(summary.approvals) : [],
    };
  }
}

/** Each approval route with its customers now and after, the most common now first. */
function approvalRoutes(a: WhatIfSummary['approvals']): Array<{ route: string; now: number; after: number }> {
  const names = [...new Set([...Object.keys(a.routesBefore), ...Object.keys(a.routesAfter)])];
  return names
    .map((route) => ({ route, now: a.routesBefore[route] ?? 0, after: a.routesAfter[route] ?? 0 }))
    .sort((x, y) => y.now - x.now || y.after - x.after || x.route.localeCompare(y.route));
}

/** Grades in the policies' band order (best first), then any other grade seen (e.g. unrated), alphabetically. */
function gradeOrder(summary: WhatIfSummary, policies: Array<GradePolicy | undefined>): string[] {
  const seen = new Set<string>();
  for (const [from, row] of Object.entries(summary.migration)) {
    seen.add(from);
    for (const to of Object.keys(row)) seen.add(to);
  }
  const ordered: string[] = [];
  for (const p of policies) {
    for (const b of p?.bands ?? [])
      if (seen.has(b.grade) && !ordered.includes(b.grade)) ordered.push(b.grade);
  }
  return [...ordered, ...[...seen].filter((g) => !ordered.includes(g)).sort()];
}

function checked(id: string): string {
  if (!SIM_ID.test(id)) throw new HttpException(`no simulation ${JSON.stringify(id.slice(0, 80))}`, 404);
  return id;
}

/** To a page: htmx follows HX-Redirect (a full load), a plain form the 303. */
function goTo(reply: FastifyReply, url: string, htmx: boolean) {
  if (htmx) return reply.header('hx-redirect', url).code(204).send();
  return reply.redirect(url, 303);
}
