import { BadRequestException } from '@nestjs/common';
import type { ListFilter } from '@credit-ledger/projections';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;
const ID = /^[A-Za-z0-9._:/-]{1,128}$/;

/** Query-string checks that answer 400 with a message naming the parameter and what was wrong. */
export function parseAsOf(raw: string | undefined): string | undefined {
  return parseInstant('asOf', raw, 'end');
}

/**
 * An ISO-8601 date or timestamp parameter, normalised. A bare date means the start or the end of that day (UTC):
 * "as of 31 March" and "to 31 March" include 31 March, "from 1 March" starts at its midnight.
 */
export function parseInstant(
  name: string,
  raw: string | undefined,
  bareDate: 'start' | 'end',
): string | undefined {
  if (raw === undefined) return undefined;
  const t = Date.parse(raw);
  if (!ISO_INSTANT.test(raw) || Number.isNaN(t)) {
    throw new BadRequestException(
      `${name} must be an ISO-8601 date or timestamp like 2026-03-31T23:59:59Z, got "${clip(raw)}"`,
    );
  }
  const endOfDay = raw.length === 10 && bareDate === 'end';
  return new Date(endOfDay ? t + 86_400_000 - 1 : t).toISOString();
}

export function parseCustomerId(raw: string): string {
  if (!ID.test(raw)) {
    throw new BadRequestException(
      `customer id must be 1-128 characters of A-Z a-z 0-9 . _ : / -, got "${clip(raw)}"`,
    );
  }
  return raw;
}

export function parseListFilter(q: Record<string, string | undefined>): ListFilter {
  const known = new Set(['grade', 'status', 'sort', 'limit', 'offset']);
  const unknown = Object.keys(q).filter((k) => !known.has(k));
  if (unknown.length) throw new BadRequestException(`unknown query parameter(s): ${unknown.join(', ')}`);
  const sort = q.sort ?? 'utilisation';
  if (!['utilisation', 'exposure', 'customerId'].includes(sort)) {
    throw new BadRequestException(
      `sort must be one of utilisation, exposure, customerId; got "${clip(sort)}"`,
    );
  }
  if (q.grade !== undefined && !/^[A-Za-z+-]{1,8}$/.test(q.grade)) {
    throw new BadRequestException(`grade must be a grade name such as A, B, C or D; got "${clip(q.grade)}"`);
  }
  if (q.status !== undefined && !['active', 'frozen', 'blacklisted'].includes(q.status)) {
    throw new BadRequestException(`status must be active, frozen or blacklisted; got "${clip(q.status)}"`);
  }
  return {
    grade: q.grade,
    status: q.status,
    sort: sort as ListFilter['sort'],
    limit: intParam('limit', q.limit, 50, 1, 1000),
    offset: intParam('offset', q.offset, 0, 0, 10_000_000),
  };
}

export function intParam(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new BadRequestException(`${name} must be an integer from ${min} to ${max}; got "${clip(raw)}"`);
  }
  return Number(raw);
}

export function clip(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}
