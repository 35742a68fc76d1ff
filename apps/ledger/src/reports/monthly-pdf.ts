import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { MonthlyReport, ReportRow } from '@credit-ledger/projections';

/** Debian's fonts-noto-cjk: Chinese glyphs (customer names, and the seeds' language) in the PDF. */
const NOTO_CJK = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

/**
 * The month-end report as a PDF drawn with pdfkit (text, not a screenshot: it can be searched and extracted).
 * `fontPath`: PDF_FONT, else Noto Sans CJK when installed, else Helvetica (Latin only).
 */
export function monthlyReportPdf(r: MonthlyReport, fontPath: string | null): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 40, info: { Title: `Credit report ${r.month}` } });
  const font = fontPath ?? (existsSync(NOTO_CJK) ? NOTO_CJK : null);
  if (font) {
    if (font.endsWith('.ttc')) doc.registerFont('body', font, 'NotoSansCJKsc-Regular');
    else doc.registerFont('body', font);
    doc.font('body');
  }
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.fontSize(16).text(`Month-end credit report ${r.month} / 月末信用报告`);
  doc
    .fontSize(9)
    .text(
      `Period ${r.from} (exclusive) to ${r.to}; figures as of ${r.asOf}; top grades ${r.topGrades.join('/')}`,
    );
  section(doc, 'KPIs / 关键指标');
  for (const k of r.kpis) {
    doc.fontSize(10).text(`${k.currency}: ${k.customers} customers`);
    lines(doc, [
      ['Exposure', k.exposure],
      ['Open receivables', k.openReceivables],
      ['Overdue', k.overdue],
      ['Overdue rate', k.overdueRate],
      ['DSO', k.dso],
      ['Sales', k.sales],
      ['Written off', k.writtenOff],
      ['Bad-debt rate', k.badDebtRate],
      ['Recovered overdue', k.recovered],
      ['Overdue recovery rate', k.overdueRecoveryRate],
      ['Top-grade sales share', k.topGradeSalesShare],
      ['Held orders', k.heldOrders],
      ['Pending approvals', k.pendingApprovals],
    ]);
  }
  section(doc, 'Grade migration / 等级迁移');
  for (const m of r.migration) doc.fontSize(9).text(`${m.from} -> ${m.to}: ${m.customers}`);
  section(doc, 'Aging / 账龄');
  for (const a of r.aging) table(doc, a);
  section(doc, 'Top overdue / 逾期排行');
  for (const o of r.topOverdue)
    doc
      .fontSize(9)
      .text(`${o.currency} #${o.rank} ${o.customerId} ${o.name ?? ''}: ${o.overdue} (${o.grade ?? '-'})`);
  section(doc, 'Exceptions / 例外');
  if (r.exceptions.length === 0) doc.fontSize(9).text('none');
  for (const e of r.exceptions)
    doc.fontSize(9).text(`${e.occurredAt} ${e.customerId} ${e.type} by ${e.by ?? '-'}: ${e.reason ?? ''}`);
  doc.end();
  return finished;
}

function section(doc: PDFKit.PDFDocument, title: string): void {
  doc.moveDown(0.6).fontSize(12).text(title);
}

function lines(doc: PDFKit.PDFDocument, pairs: Array<[string, string | number | null]>): void {
  for (const [k, v] of pairs) doc.fontSize(9).text(`  ${k}: ${v ?? '-'}`);
}

function table(doc: PDFKit.PDFDocument, row: ReportRow): void {
  doc.fontSize(9).text(
    Object.entries(row)
      .map(([k, v]) => `${k} ${v ?? '-'}`)
      .join('  '),
  );
}
