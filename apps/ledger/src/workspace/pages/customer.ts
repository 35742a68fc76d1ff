import { HttpException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { GradeHistoryView, PositionView, TimelineView } from '@credit-ledger/projections';
import { GetGradeHistoryQuery, GetTimelineQuery } from '../../audit/queries';
import { CollectionTaskView, ListCollectionTasksQuery } from '../../collections/collection-tasks';
import {
  HeldOrderView,
  LimitRequestView,
  ListCustomerHeldOrdersQuery,
  ListLimitRequestsQuery,
} from '../../control/control-queries';
import { HeldOrdersController } from '../../control/control.controller';
import { GetCustomerPositionQuery } from '../../customers/queries';
import { barChart, gaugeChart, lineChart, type ChartOption } from '../charts';
import { WorkspaceDeps, jsonForScript, may, pageContext, render } from '../context';

const BUCKETS = ['current', 'd1_30', 'd31_60', 'd61_90', 'd90plus'] as const;
const ID = /^[A-Za-z0-9._:@/-]{1,64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Timeline rows per page (and per "older events" click). */
export const TIMELINE_PAGE = 50;

/** A date from the as-of picker means the end of that day (UTC), the moment a finance person means by "on". */
export function asOfInstant(date: string | undefined): string | undefined {
  if (!date) return undefined;
  if (!DATE.test(date))
    throw new HttpException(`asOf must be a date YYYY-MM-DD, got ${JSON.stringify(date)}`, 400);
  return `${date}T23:59:59.999Z`;
}

/**
 * The credit file of one customer: position (gauge, aging), grade history (click a change: its factors and
 * events), the timeline up to the as-of date, limit requests, held orders, collection tasks and alerts.
 */
export function customerPages(app: FastifyInstance, deps: WorkspaceDeps): void {
  const q = deps.queries;

  /**
   * A page of the timeline up to `asOf`, newest first. The query reads forward from the first event (its trace
   * folds the whole stream anyway), so the page is cut from the end.
   */
  const newestFirst = async (id: string, asOf: string | undefined, offset: number) => {
    const all = (await q.execute(
      new GetTimelineQuery(id, { limit: Number.MAX_SAFE_INTEGER, to: asOf }),
    )) as TimelineView | null;
    const items = (all?.items ?? []).slice().reverse();
    const next = offset + TIMELINE_PAGE;
    return { items: items.slice(offset, next), next: next < items.length ? next : null, total: items.length };
  };

  app.get<{ Querystring: { id?: string } }>('/customers', async (req, reply) => {
    const ctx = pageContext(req);
    const id = req.query.id?.trim();
    if (id && ID.test(id)) return reply.redirect(`/app/customers/${encodeURIComponent(id)}`, 303);
    return render(reply, ctx, 'customers.eta', { title: ctx.t('nav.customers') });
  });

  app.get<{ Params: { id: string }; Querystring: { asOf?: string } }>(
    '/customers/:id',
    async (req, reply) => {
      const ctx = pageContext(req);
      const { t } = ctx;
      const id = req.params.id;
      if (!ID.test(id)) throw new HttpException(t('customer.notFound', { id }), 404);
      const asOf = asOfInstant(req.query.asOf);
      const position = (await q.execute(new GetCustomerPositionQuery(id, asOf))) as PositionView | null;
      if (!position) {
        return render(
          reply,
          ctx,
          'error.eta',
          { title: t('error.title'), status: 404, message: t('customer.notFound', { id }) },
          { status: 404 },
        );
      }
      // Every list beside the position is cut at the same instant: as of a past date, only what existed then.
      const [history, timeline, requests, held, tasks, alerts] = await Promise.all([
        q.execute(new GetGradeHistoryQuery(id)) as Promise<GradeHistoryView | null>,
        newestFirst(id, asOf, 0),
        q.execute(new ListLimitRequestsQuery(id, asOf)) as Promise<{ items: LimitRequestView[] } | null>,
        q.execute(new ListCustomerHeldOrdersQuery(id, asOf)) as Promise<{ items: HeldOrderView[] } | null>,
        q.execute(new ListCollectionTasksQuery(null, 'all', 10_000, asOf ?? null, id)) as Promise<{
          items: CollectionTaskView[];
        }>,
        // An alert belongs to the instant of the event that raised it (its ledger sequence), not to when the
        // outbox row was written.
        deps.ds.query(
          `SELECT o.topic, o.payload, o.sequence::text AS sequence, e.occurred_at AS at
             FROM alert_outbox o JOIN ledger_events e ON e.sequence = o.sequence
            WHERE o.key = $1 AND ($2::timestamptz IS NULL OR e.occurred_at <= $2)
            ORDER BY o.id DESC LIMIT 20`,
          [id, asOf ?? null],
        ) as Promise<Array<{ topic: string; payload: Record<string, unknown>; sequence: string; at: Date }>>,
      ]);
      const changes = (history?.changes ?? []).filter((c) => !asOf || c.ratedAt <= asOf);
      const charts: Record<string, ChartOption> = {
        'chart-gauge': gaugeChart(t('chart.gauge'), position.utilisation),
        'chart-customer-aging': barChart(
          `${t('chart.aging')} (${position.currency})`,
          BUCKETS.map((b) => t(`bucket.${b}`)),
          [{ name: position.currency ?? '', data: BUCKETS.map((b) => position.aging[b]) }],
        ),
        'chart-grade-history': {
          ...lineChart(
            t('chart.gradeHistory'),
            changes.map((c) => c.ratedAt.slice(0, 10)),
            [{ name: t('chart.score'), data: [] }],
          ),
          // Scores are 0–100: a fixed axis leaves room above the top point's grade label, under the title.
          yAxis: { type: 'value', min: 0, max: 100 },
          grid: { left: 8, right: 24, bottom: 8, top: 56, containLabel: true },
          series: [
            {
              type: 'line',
              step: 'end',
              name: t('chart.score'),
              symbolSize: 12,
              label: { show: true, formatter: '{b}' },
              data: changes.map((c) => ({ value: c.to.score, name: c.to.grade, at: c.ratedAt })),
            },
          ],
          tooltip: { trigger: 'item', formatter: '{b}: {c}' },
        },
      };
      return render(reply, ctx, 'customer.eta', {
        title: t('customer.title', { id }),
        p: position,
        asOfDate: req.query.asOf ?? '',
        changes,
        timeline: {
          ...timeline,
          customerId: id,
          asOfDate: req.query.asOf ?? '',
          currency: position.currency,
        },
        requests: requests?.items ?? [],
        held: held?.items ?? [],
        tasks: tasks.items,
        alerts,
        charts: jsonForScript(charts),
        mayDecideHeld: may(ctx.session, HeldOrdersController, 'release'),
      });
    },
  );

  // Older timeline rows (htmx fragment): they replace the "older events" row they were asked from.
  app.get<{ Params: { id: string }; Querystring: { asOf?: string; offset?: string } }>(
    '/customers/:id/timeline',
    async (req, reply) => {
      const ctx = pageContext(req);
      const id = req.params.id;
      if (!ID.test(id)) throw new HttpException(ctx.t('customer.notFound', { id }), 404);
      const offset = Number(req.query.offset ?? '0');
      if (!Number.isSafeInteger(offset) || offset < 0)
        throw new HttpException(
          `offset must be a whole number ≥ 0, got ${JSON.stringify(req.query.offset)}`,
          400,
        );
      const position = (await q.execute(
        new GetCustomerPositionQuery(id, asOfInstant(req.query.asOf)),
      )) as PositionView | null;
      if (!position) throw new HttpException(ctx.t('customer.notFound', { id }), 404);
      const page = await newestFirst(id, asOfInstant(req.query.asOf), offset);
      return reply.view('timeline-rows.eta', {
        t: ctx.t,
        f: ctx.f,
        timeline: { ...page, customerId: id, asOfDate: req.query.asOf ?? '', currency: position.currency },
      });
    },
  );

  // One grade change explained (htmx fragment): the factors' contributions and the events behind it.
  app.get<{ Params: { id: string }; Querystring: { at?: string } }>(
    '/customers/:id/explain',
    async (req, reply) => {
      const ctx = pageContext(req);
      const at = req.query.at ?? '';
      const history = (await q.execute(new GetGradeHistoryQuery(req.params.id))) as GradeHistoryView | null;
      const change = history?.changes.filter((c) => c.ratedAt <= at).pop() ?? null;
      if (!change) throw new HttpException(`no grade change at or before ${at}`, 404);
      return reply.view('explain.eta', { t: ctx.t, f: ctx.f, change: await ctx.open(change) });
    },
  );
}
