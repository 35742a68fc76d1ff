import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { GradePolicy } from '@credit-ledger/domain';
import { PolicyStore, PolicyVersionInfo } from '@credit-ledger/ledger-store';
import { AuditQueries, GradeHistoryView, TimelineQuery, TimelineView } from '@credit-ledger/projections';

export class GetGradeHistoryQuery extends Query<GradeHistoryView | null> {
  constructor(readonly customerId: string) {
    super();
  }
}

export class GetTimelineQuery extends Query<TimelineView | null> {
  constructor(
    readonly customerId: string,
    readonly window: TimelineQuery,
  ) {
    super();
  }
}

export class GetPolicyQuery extends Query<{ policy: GradePolicy; version: PolicyVersionInfo }> {}

export class ListPolicyVersionsQuery extends Query<{ items: PolicyVersionInfo[] }> {}

@QueryHandler(GetGradeHistoryQuery)
export class GetGradeHistoryHandler implements IQueryHandler<GetGradeHistoryQuery> {
  constructor(@Inject(AuditQueries) private readonly audit: AuditQueries) {}

  execute(q: GetGradeHistoryQuery): Promise<GradeHistoryView | null> {
    return this.audit.gradeHistory(q.customerId);
  }
}

@QueryHandler(GetTimelineQuery)
export class GetTimelineHandler implements IQueryHandler<GetTimelineQuery> {
  constructor(@Inject(AuditQueries) private readonly audit: AuditQueries) {}

  execute(q: GetTimelineQuery): Promise<TimelineView | null> {
    return this.audit.timeline(q.customerId, q.window);
  }
}

@QueryHandler(GetPolicyQuery)
export class GetPolicyHandler implements IQueryHandler<GetPolicyQuery> {
  constructor(@Inject(PolicyStore) private readonly policies: PolicyStore) {}

  async execute(): Promise<{ policy: GradePolicy; version: PolicyVersionInfo }> {
    const policy = await this.policies.refresh();
    const version = this.policies.versions().find((v) => v.version === policy.version)!;
    return { policy, version };
  }
}

@QueryHandler(ListPolicyVersionsQuery)
export class ListPolicyVersionsHandler implements IQueryHandler<ListPolicyVersionsQuery> {
  constructor(@Inject(PolicyStore) private readonly policies: PolicyStore) {}

  async execute(): Promise<{ items: PolicyVersionInfo[] }> {
    await this.policies.refresh();
    return { items: this.policies.versions() };
  }
}

export const AUDIT_QUERY_HANDLERS = [
  GetGradeHistoryHandler,
  GetTimelineHandler,
  GetPolicyHandler,
  ListPolicyVersionsHandler,
];
