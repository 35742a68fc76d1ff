import {
  BadRequestException,
  Controller,
  Get,
  Headers,
  Inject,
  Query as QueryString,
  Res,
} from '@nestjs/common';
import { IQueryHandler, Query, QueryBus, QueryHandler } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { RequireRole } from '../auth/roles';
import { intParam } from '../customers/query-params';
import { CLOCK } from '../tokens';
import { PortfolioReports, Report, toCsv } from './portfolio-reports';

export type ReportName = 'aging' | 'exposure-by-grade' | 'top-overdue' | 'utilisation' | 'dso-trend';

export class GetReportQuery extends Query<Report> {
  constructor(
    readonly name: ReportName,
    readonly n: number,
  ) {
    super();
  }
}

@QueryHandler(GetReportQuery)
export class GetReportHandler implements IQueryHandler<GetReportQuery> {
  constructor(
    @Inject(PortfolioReports) private readonly reports: PortfolioReports,
    @Inject(CLOCK) private readonly clock: () => Date,
  ) {}

  execute(q: GetReportQuery): Promise<Report> {
    const at = this.clock().toISOString();
    switch (q.name) {
      case 'aging':
        return this.reports.aging(at);
      case 'exposure-by-grade':
        return this.reports.exposureByGrade(at);
      case 'top-overdue':
        return this.reports.topOverdue(at, q.n);
      case 'utilisation':
        return this.reports.utilisation(at, q.n);
      case 'dso-trend':
        return this.reports.dsoTrend(at, q.n);
    }
  }
}

function only(query: Record<string, string | undefined>, allowed: string[]): void {
  const unknown = Object.keys(query).filter((k) => !allowed.includes(k));
  if (unknown.length) throw new BadRequestException(`unknown query parameter(s): ${unknown.join(', ')}`);
}

/** Portfolio reports: JSON, or CSV with `Accept: text/csv`. Amounts per currency, never summed across them. */
@Controller('reports')
@RequireRole('reader')
export class ReportsController {
  constructor(private readonly queries: QueryBus) {}

  private async answer(name: ReportName, n: number, accept: string | undefined, reply: FastifyReply) {
    const report = await this.queries.execute(new GetReportQuery(name, n));
    if (accept !== undefined && /\btext\/csv\b/i.test(accept)) {
      void reply.header('content-type', 'text/csv; charset=utf-8');
      void reply.header('content-disposition', `attachment; filename="${name}.csv"`);
      return toCsv(report.rows);
    }
    return report.json;
  }

  @Get('aging')
  aging(
    @QueryString() q: Record<string, string | undefined>,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    only(q, []);
    return this.answer('aging', 0, accept, reply);
  }

  @Get('exposure-by-grade')
  exposureByGrade(
    @QueryString() q: Record<string, string | undefined>,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    only(q, []);
    return this.answer('exposure-by-grade', 0, accept, reply);
  }

  @Get('top-overdue')
  topOverdue(
    @QueryString() q: Record<string, string | undefined>,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    only(q, ['limit']);
    return this.answer('top-overdue', intParam('limit', q.limit, 10, 1, 1000), accept, reply);
  }

  @Get('utilisation')
  utilisation(
    @QueryString() q: Record<string, string | undefined>,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    only(q, ['limit']);
    return this.answer('utilisation', intParam('limit', q.limit, 20, 1, 1000), accept, reply);
  }

  @Get('dso-trend')
  dsoTrend(
    @QueryString() q: Record<string, string | undefined>,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    only(q, ['months']);
    return this.answer('dso-trend', intParam('months', q.months, 6, 1, 36), accept, reply);
  }
}
