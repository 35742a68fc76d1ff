import { BadRequestException } from '@nestjs/common';
import type { TimelineQuery } from '@credit-ledger/projections';
import { clip, intParam, parseInstant } from '../customers/query-params';

export const TIMELINE_MAX_LIMIT = 1000;

/** `from`/`to` (ISO date or timestamp), `limit` 1..1000 (default 100) and the `cursor` of the previous page. */
export function parseTimelineQuery(q: Record<string, string | undefined>): TimelineQuery {
  const known = new Set(['from', 'to', 'limit', 'cursor']);
  const unknown = Object.keys(q).filter((k) => !known.has(k));
  if (unknown.length) throw new BadRequestException(`unknown query parameter(s): ${unknown.join(', ')}`);
  const from = parseInstant('from', q.from, 'start');
  const to = parseInstant('to', q.to, 'end');
  if (from !== undefined && to !== undefined && from > to) {
    throw new BadRequestException(`from (${from}) must not be after to (${to})`);
  }
  if (q.cursor !== undefined && !/^\d{1,19}$/.test(q.cursor)) {
    throw new BadRequestException(
      `cursor must be the "next" value of a previous page; got "${clip(q.cursor)}"`,
    );
  }
  return { from, to, cursor: q.cursor, limit: intParam('limit', q.limit, 100, 1, TIMELINE_MAX_LIMIT) };
}
