import { DataSource } from 'typeorm';
import { PolicyStore } from '@credit-ledger/ledger-store';
import { MonthlyReports } from '@credit-ledger/projections';
import { DocsController, OpenApiDocument } from '../docs/docs.controller';
import { PortfolioReports } from '../reports/portfolio-reports';
import { GetReportHandler, ReportsController } from '../reports/reports.controller';
import { LEDGER_DATA_SOURCE } from '../tokens';
import { CONTROL_COMMAND_HANDLERS } from './commands';
import { ControlAppender } from './control-appender';
import {
  ApprovalsController,
  ControlAdminController,
  CustomerControlController,
  HeldOrdersController,
} from './control.controller';
import { CONTROL_QUERY_HANDLERS } from './control-queries';
import { RunCreditReviewHandler } from './credit-review';
import { PolicyAdminController, PolicyAdoptionStepHandler } from './policy-admin.controller';
import { PolicySimulations, PolicySimulationsController } from '../policy/policy-simulations.controller';
import { ListCollectionTasksHandler } from '../collections/collection-tasks';
import { RecordCollectionActionHandler } from '../collections/collection-actions';
import { CollectionsController } from '../collections/collections.controller';

/** The credit-control half of the API (controls, reports, docs): registered into LedgerModule with one line each. */
export const CONTROL_CONTROLLERS = [
  CustomerControlController,
  HeldOrdersController,
  ApprovalsController,
  ControlAdminController,
  PolicyAdminController,
  PolicySimulationsController,
  DocsController,
  ReportsController,
  CollectionsController,
];
export const CONTROL_PROVIDERS = [
  OpenApiDocument,
  ControlAppender,
  ...CONTROL_COMMAND_HANDLERS,
  ...CONTROL_QUERY_HANDLERS,
  RunCreditReviewHandler,
  PolicyAdoptionStepHandler,
  PolicySimulations,
  GetReportHandler,
  ListCollectionTasksHandler,
  RecordCollectionActionHandler,
  {
    provide: MonthlyReports,
    useFactory: (ds: DataSource, policies: PolicyStore) => new MonthlyReports(ds, policies),
    inject: [LEDGER_DATA_SOURCE, PolicyStore],
  },
  {
    provide: PortfolioReports,
    useFactory: (ds: DataSource, policies: PolicyStore) => new PortfolioReports(ds, policies),
    inject: [LEDGER_DATA_SOURCE, PolicyStore],
  },
];
