/** Left-aligned columns separated by two spaces; the first row is the header, underlined. */
export function formatTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** An ISO date or timestamp from the command line; a bare date means the end of that day (UTC), as in the API. */
export function cliInstant(raw: string, option: string): string {
  const t = Date.parse(raw);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(raw)) {
    throw new Error(
      `${option} must be an ISO-8601 date or timestamp like 2026-03-31T23:59:59Z, got "${raw}"`,
    );
  }
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? t + 86_400_000 - 1 : t).toISOString();
}
