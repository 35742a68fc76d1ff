import { CustomerPositionEntity } from './customer-position.entity';
import { GradeHistoryEntity } from './grade-history.entity';
import { GradePolicyEntity } from './grade-policy.entity';
import { LedgerEventEntity } from './ledger-event.entity';
import { ParkedEventEntity } from './parked-event.entity';
import { ProjectionCheckpointEntity } from './projection-checkpoint.entity';
import { RejectedEventEntity } from './rejected-event.entity';

export {
  CustomerPositionEntity,
  GradeHistoryEntity,
  GradePolicyEntity,
  LedgerEventEntity,
  ParkedEventEntity,
  ProjectionCheckpointEntity,
  RejectedEventEntity,
};

export const LEDGER_ENTITIES = [
  LedgerEventEntity,
  RejectedEventEntity,
  ParkedEventEntity,
  CustomerPositionEntity,
  GradeHistoryEntity,
  GradePolicyEntity,
  ProjectionCheckpointEntity,
];
