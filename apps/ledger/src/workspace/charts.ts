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

/**
 * A legend, when there is more than one series: at the bottom, the plot raised to make room (at the top, a long
 * title such as "Sales collection ranking by account owner (EUR)" ran into it).
 */
function withLegend(option: ChartOption, seriesCount: number): ChartOption {
  if (seriesCount < 2) return option;
  const grid = option.grid as Record<string, unknown>;
  return { ...option, legend: { bottom: 0, left: 'center' }, grid: { ...grid, bottom: 32 } };
}

export function barChart(
  title: string,
  categories: string[],
  series: Array<{ name: string; data: Array<string | number | null> }>,
  horizontal = false,
): ChartOption {
  const cat = { type: 'category', data: categories, ...(horizontal ? { inverse: true } : {}) };
  const val = { type: 'value' };
  const option = base(title);
  // The value axis's last label is centred on the plot's right edge: room for half of it (containLabel does not).
  if (horizontal) option.grid = { ...(option.grid as Record<string, unknown>), right: 36 };
  return {
    ...withLegend(option, series.length),
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
    ...withLegend(base(title), series.length),
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
        // A small card: fewer, smaller ticks, the value once (below the hub), not also as the item's name.
        center: ['50%', '58%'],
        radius: '78%',
        splitNumber: 6,
        axisLabel: { fontSize: 10, distance: 14 },
        axisTick: { distance: 0, length: 4 },
        splitLine: { distance: 0, length: 10 },
        pointer: { width: 4 },
        title: { show: false },
        data: [{ value: pct, name: utilisation === null ? '—' : `${pct} %` }],
        detail: { formatter: '{value} %', fontSize: 16, offsetCenter: [0, '62%'] },
        axisLine: {
          lineStyle: {
            width: 10,
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

/**
 * A from × to matrix as a heatmap: `cells` are [column, row, value] (ECharts' order), only the non-empty ones; the
 * rows read top-down in the order given, as a migration matrix is printed.
 */
export function heatmapChart(
  title: string,
  axes: { x: string[]; y: string[]; xName: string; yName: string },
  cells: Array<[number, number, number]>,
  seriesName: string,
): ChartOption {
  const max = cells.reduce((m, c) => Math.max(m, c[2]), 0);
  return {
    ...base(title),
    tooltip: { trigger: 'item' },
    grid: { left: 8, right: 40, bottom: 56, top: 72, containLabel: true },
    xAxis: { type: 'category', data: axes.x, name: axes.xName, splitArea: { show: true } },
    yAxis: {
      type: 'category',
      data: axes.y,
      name: axes.yName,
      // inverse puts the end at the bottom: the name goes at the top, over the first row
      nameLocation: 'start',
      inverse: true,
      splitArea: { show: true },
    },
    visualMap: {
      min: 0,
      max: Math.max(max, 1),
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      inRange: { color: ['#e3f2fd', '#0b5cad'] },
    },
    series: [{ type: 'heatmap', name: seriesName, data: cells, label: { show: true } }],
  };
}
