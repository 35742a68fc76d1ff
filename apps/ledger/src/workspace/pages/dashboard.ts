import type { FastifyInstance } from 'fastify';
import type { Report } from '../../reports/portfolio-reports';
import { GetReportQuery, ReportName } from '../../reports/reports.controller';
import { barChart, lineChart, type ChartOption } from '../charts';
import { WorkspaceDeps, jsonForScript, pageContext, render } from '../context';

type Row = Record<string, string | number | null>;

const BUCKETS = ['current', 'd1_30', 'd31_60', 'd61_90', 'd90plus'] as const;

/**
 * The portfolio dashboard: KPI tiles per currency and six charts from the same report queries as /reports/*.
 * Amount charts show one currency at a time (never a sum across currencies); utilisation, a ratio, ranks all.
 */
export function dashboardPages(app: FastifyInstance, deps: WorkspaceDeps): void {
  const report = (name: ReportName, n = 0): Promise<Report> =>
    deps.queries.execute(new GetReportQuery(name, n));

  app.get<{ Querystring: { currency?: string } }>('/dashboard', async (req, reply) => {
    const ctx = pageContext(req);
    const { t } = ctx;
    const [kpis, aging, grades, dso, utilisation, overdue, owners] = await Promise.all([
      report('kpis'),
      report('aging'),
      report('exposure-by-grade'),
      report('dso-trend', 6),
      report('utilisation', 10),
      report('top-overdue', 10),
      report('collections-by-owner'),
    ]);
    const kpiRows = kpis.rows as Row[];
    const currencies = kpiRows.map((r) => String(r.currency));
    const wanted = req.query.currency;
    const currency = wanted && currencies.includes(wanted) ? wanted : (currencies[0] ?? null);
    const inCcy = (rows: Row[]) => rows.filter((r) => r.currency === currency);

    const agingRow = inCcy(aging.rows as Row[])[0];
    const gradeRows = inCcy(grades.rows as Row[]);
    const dsoRows = inCcy(dso.rows as Row[]);
    const overdueRows = inCcy(overdue.rows as Row[]);
    const ownerRows = inCcy(owners.rows as Row[]);
    const utilRows = utilisation.rows as Row[];
    const suffix = currency ? ` (${currency})` : '';
    const charts: Record<string, ChartOption> = {
      'chart-aging': barChart(
        t('chart.aging') + suffix,
        BUCKETS.map((b) => t(`bucket.${b}`)),
        [{ name: currency ?? '', data: BUCKETS.map((b) => (agingRow ? (agingRow[b] as string) : null)) }],
      ),
      'chart-grades': barChart(
        t('chart.exposureByGrade') + suffix,
        gradeRows.map((r) => String(r.grade)),
        [{ name: t('kpi.exposure'), data: gradeRows.map((r) => r.exposure) }],
      ),
      'chart-dso': lineChart(
        t('chart.dsoTrend') + suffix,
        dsoRows.map((r) => String(r.monthEnd)),
        [{ name: t('kpi.dso'), data: dsoRows.map((r) => r.dso) }],
      ),
      'chart-utilisation': barChart(
        t('chart.utilisation'),
        utilRows.map((r) => `${r.customerId} (${r.currency})`),
        [{ name: t('customer.utilisation'), data: utilRows.map((r) => r.utilisation) }],
        true,
      ),
      'chart-overdue': barChart(
        t('chart.topOverdue') + suffix,
        overdueRows.map((r) => String(r.customerId)),
        [{ name: t('customer.overdue'), data: overdueRows.map((r) => r.overdueAmount) }],
        true,
      ),
      'chart-collections': barChart(
        t('chart.collections') + suffix,
        // The owner's id is not personal data; the name opens for the roles that may see it.
        ownerRows.map((r) => (r.ownerId === null ? t('chart.unassigned') : `${r.ownerId} ${r.ownerName}`)),
        [
          { name: t('chart.collected'), data: ownerRows.map((r) => r.collected) },
          { name: t('chart.sales'), data: ownerRows.map((r) => r.sales) },
        ],
        true,
      ),
    };
    const json = kpis.json as { to: string; topGrades: string[] };
    return render(reply, ctx, 'dashboard.eta', {
      title: t('nav.dashboard'),
      kpis: kpiRows,
      period: json.to,
      topGrades: json.topGrades.join('/'),
      currencies,
      currency,
      charts: jsonForScript(charts),
      tables: { aging: agingRow ?? null, utilisation: utilRows, overdue: overdueRows, owners: ownerRows },
    });
  });
}
