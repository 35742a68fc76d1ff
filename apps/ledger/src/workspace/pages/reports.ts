import { HttpException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { MonthlyReports, monthBounds, monthlyReportRows } from '@credit-ledger/projections';
import { monthlyReportPdf } from '../../reports/monthly-pdf';
import { toCsv } from '../../reports/portfolio-reports';
import { WorkspaceDeps, pageContext, render } from '../context';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The month-end reports: the stored months, each as PDF and CSV (the same builder and renderers as the API). */
export function reportPages(app: FastifyInstance, deps: WorkspaceDeps, monthly: MonthlyReports): void {
  app.get('/reports', async (req, reply) => {
    const ctx = pageContext(req);
    return render(reply, ctx, 'reports.eta', { title: ctx.t('reports.title'), items: await monthly.list() });
  });

  app.get<{ Params: { month: string; format: string } }>('/reports/:month/:format', async (req, reply) => {
    pageContext(req);
    const { month, format } = req.params;
    if (!MONTH.test(month) || !['pdf', 'csv'].includes(format))
      throw new HttpException('no such report', 404);
    if (monthBounds(month).end >= deps.clock().toISOString())
      throw new HttpException(`${month} has not ended yet`, 409);
    const { report } = await monthly.ensureStored(month);
    void reply.header('content-disposition', `attachment; filename="credit-report-${month}.${format}"`);
    if (format === 'pdf')
      return reply
        .type('application/pdf')
        .send(await monthlyReportPdf(report, deps.config.workspace.pdfFont));
    return reply.type('text/csv; charset=utf-8').send(toCsv(monthlyReportRows(report)));
  });
}
