import {
  BadRequestException,
  ConflictException,
  Controller,
  Get,
  Param,
  Headers,
  Inject,
  Query as QueryString,
  Res,
  Type,
  applyDecorators,
} from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { IQueryHandler, Query, QueryBus, QueryHandler } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { RequireRole } from '../auth/roles';
import { MonthlyReports, monthBounds, monthlyReportRows } from '@credit-ledger/projections';
import type { AppConfig } from '@credit-ledger/config';
import { DataSource } from 'typeorm';
import { APP_CONFIG, CLOCK, LEDGER_DATA_SOURCE } from '../tokens';
import { monthlyReportPdf } from './monthly-pdf';
import { PortfolioReports, Report, exceptionsReport, toCsv } from './portfolio-reports';
import {
  AgingReportResponse,
  DsoTrendQueryDto,
  CollectionsByOwnerReportResponse,
  DsoTrendReportResponse,
  ExceptionsQueryDto,
  ExceptionsReportResponse,
  KpiReportResponse,
  MonthlyReportListResponse,
  MonthlyReportResponse,
  ExposureByGradeReportResponse,
  NoQuery,
  TopOverdueQueryDto,
  TopOverdueReportResponse,
  UtilisationQueryDto,
  UtilisationReportResponse,
} from './reports.dto';

export type ReportName =
  | 'exceptions'
  | 'aging'
  | 'exposure-by-grade'
  | 'top-overdue'
  | 'utilisation'
  | 'dso-trend'
  | 'kpis'
  | 'collections-by-owner';

export class GetReportQuery extends Query<Report> {
  constructor(
    readonly name: ReportName,
    readonly n: number,
    /** Instants: the window of a report over events (exceptions). */
    readonly window: { from?: string; to?: string } = {},
  ) {
    super();
  }
}

@QueryHandler(GetReportQuery)
export class GetReportHandler implements IQueryHandler<GetReportQuery> {
  constructor(
    @Inject(PortfolioReports) private readonly reports: PortfolioReports,
    @Inject(CLOCK) private readonly clock: () => Date,
    @Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource,
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
      case 'exceptions':
        return exceptionsReport(this.ds, q.window.from ?? '1970-01-01T00:00:00.000Z', q.window.to ?? at);
      case 'kpis':
        return this.reports.kpis(at);
      case 'collections-by-owner':
        return this.reports.collectionsByOwner(at);
    }
  }
}

/** JSON, or the same rows as CSV with `Accept: text/csv`. */
function ReportResponse(dto: Type<unknown>) {
  return applyDecorators(
    ApiExtraModels(dto),
    ApiProduces('application/json', 'text/csv'),
    ApiOkResponse({
      content: {
        'application/json': { schema: { $ref: getSchemaPath(dto) } },
        'text/csv': { schema: { type: 'string', description: 'one line per row, a header first' } },
      },
    }),
  );
}

/** Portfolio reports: JSON, or CSV with `Accept: text/csv`. Amounts per currency, never summed across them. */
@ApiTags('reports')
@Controller('reports')
@RequireRole('reader')
export class ReportsController {
  constructor(
    private readonly queries: QueryBus,
    @Inject(MonthlyReports) private readonly monthly: MonthlyReports,
    @Inject(CLOCK) private readonly clock: () => Date,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('monthly')
  @ApiOkResponse({ type: MonthlyReportListResponse })
  monthlyList(@QueryString() _q: NoQuery) {
    return this.monthly.list().then((items) => ({ items }));
  }

  /**
   * A month-end credit report: the stored one, or built now from the ledger as of the month's end (then stored).
   * JSON, CSV (`Accept: text/csv`) or PDF (`Accept: application/pdf`). A month that has not ended is 409.
   */
  @Get('monthly/:month')
  @ApiExtraModels(MonthlyReportResponse)
  @ApiProduces('application/json', 'text/csv', 'application/pdf')
  @ApiOkResponse({
    content: {
      'application/json': { schema: { $ref: getSchemaPath(MonthlyReportResponse) } },
      'text/csv': { schema: { type: 'string', description: 'one table: a section column, then its fields' } },
      'application/pdf': { schema: { type: 'string', format: 'binary' } },
    },
  })
  async monthlyReport(
    @Param('month') month: string,
    @QueryString() _q: NoQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
      throw new BadRequestException(`month must be YYYY-MM, got ${JSON.stringify(month.slice(0, 20))}`);
    }
    if (monthBounds(month).end >= this.clock().toISOString()) {
      throw new ConflictException(`${month} has not ended yet: its report is built after its last day`);
    }
    const { report } = await this.monthly.ensureStored(month);
    if (accept !== undefined && /\bapplication\/pdf\b/i.test(accept)) {
      void reply.header('content-type', 'application/pdf');
      void reply.header('content-disposition', `attachment; filename="credit-report-${month}.pdf"`);
      return monthlyReportPdf(report, this.config.workspace.pdfFont);
    }
    if (accept !== undefined && /\btext\/csv\b/i.test(accept)) {
      void reply.header('content-type', 'text/csv; charset=utf-8');
      void reply.header('content-disposition', `attachment; filename="credit-report-${month}.csv"`);
      return toCsv(monthlyReportRows(report));
    }
    return report;
  }

  private async answer(
    name: ReportName,
    n: number,
    accept: string | undefined,
    reply: FastifyReply,
    window: GetReportQuery['window'] = {},
  ) {
    const report = await this.queries.execute(new GetReportQuery(name, n, window));
    if (accept !== undefined && /\btext\/csv\b/i.test(accept)) {
      void reply.header('content-type', 'text/csv; charset=utf-8');
      void reply.header('content-disposition', `attachment; filename="${name}.csv"`);
      return toCsv(report.rows);
    }
    return report.json;
  }

  @Get('aging')
  @ReportResponse(AgingReportResponse)
  aging(
    @QueryString() _q: NoQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.answer('aging', 0, accept, reply);
  }

  @Get('exposure-by-grade')
  @ReportResponse(ExposureByGradeReportResponse)
  exposureByGrade(
    @QueryString() _q: NoQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.answer('exposure-by-grade', 0, accept, reply);
  }

  @Get('top-overdue')
  @ReportResponse(TopOverdueReportResponse)
  topOverdue(
    @QueryString() q: TopOverdueQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.answer('top-overdue', q.limit, accept, reply);
  }

  @Get('utilisation')
  @ReportResponse(UtilisationReportResponse)
  utilisation(
    @QueryString() q: UtilisationQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.answer('utilisation', q.limit, accept, reply);
  }

  @Get('dso-trend')
  @ReportResponse(DsoTrendReportResponse)
  dsoTrend(
    @QueryString() q: DsoTrendQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.answer('dso-trend', q.months, accept, reply);
  }

  /** Bypasses, manual releases (overrides), temporary limits, manual freezes and unfreezes, blacklistings. */
  @Get('exceptions')
  @ReportResponse(ExceptionsReportResponse)
  exceptions(
    @QueryString() q: ExceptionsQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (q.from !== undefined && q.to !== undefined && q.from > q.to)
      throw new BadRequestException(`from (${q.from}) is after to (${q.to})`);
    return this.answer('exceptions', 0, accept, reply, { from: q.from, to: q.to });
  }

  @Get('kpis')
  @ReportResponse(KpiReportResponse)
  kpis(
    @QueryString() _q: NoQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.answer('kpis', 0, accept, reply);
  }

  @Get('collections-by-owner')
  @ReportResponse(CollectionsByOwnerReportResponse)
  collectionsByOwner(
    @QueryString() _q: NoQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.answer('collections-by-owner', 0, accept, reply);
  }
}
