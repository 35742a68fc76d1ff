/**
 * ECharts options built on the server from the API's report rows: the page script only hands them to
 * echarts.setOption, so what a chart shows is exactly what the API answers (amounts stay decimal strings).
 */
export type ChartOption = Record<string, unknown>;

const base = (title: string): ChartOption => ({
  aria: { enabled: true },
  animation: false,
  title: { text: title, left: 0, textStyle: { fontSize: 14 } },
  tooltip: { trigger: 'axis' },
  grid: { left: 8, right: 16, bottom: 8, top: 48, containLabel: true },
});

export function barChart(
  title: string,
  categories: string[],
  series: Array<{ name: string; data: Array<string | number | null> }>,
  horizontal = false,
): ChartOption {
  const cat = { type: 'category', data: categories, ...(horizontal ? { inverse: true } : {}) };
  const val = { type: 'value' };
  return {
    ...base(title),
    legend: series.length > 1 ? { top: 22, right: 0 } : undefined,
    xAxis: horizontal ? val : cat,
    yAxis: horizontal ? cat : val,
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data })),
  };
}

export function lineChart(
  title: string,
  categories: string[],
  series: Array<{ name: string; data: Array<string | number | null> }>,
): ChartOption {
  return {
    ...base(title),
    legend: series.length > 1 ? { top: 22, right: 0 } : undefined,
    xAxis: { type: 'category', data: categories },
    yAxis: { type: 'value' },
    series: series.map((s) => ({ type: 'line', name: s.name, data: s.data, connectNulls: false })),
  };
}

/** Utilisation as a gauge: 0–100 % and beyond (capped on the dial at 150 %). */
export function gaugeChart(title: string, utilisation: string | null): ChartOption {
  const pct = utilisation === null ? 0 : Math.round(Number(utilisation) * 1000) / 10;
  return {
    ...base(title),
    tooltip: undefined,
    series: [
      {
        type: 'gauge',
        min: 0,
        max: 150,
        data: [{ value: pct, name: utilisation === null ? '—' : `${pct} %` }],
        detail: { formatter: '{value} %', fontSize: 16 },
        axisLine: {
          lineStyle: {
            width: 12,
            color: [
              [0.53, '#2e7d32'],
              [0.667, '#f9a825'],
              [1, '#c62828'],
            ],
          },
        },
      },
    ],
  };
}
