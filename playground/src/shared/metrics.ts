import uPlot from 'uplot'
import { METRICS, type MetricName, type MetricSample } from './protocol'

/** A gap longer than this in the stream is drawn as a gap, not a straight line. */
const GAP_MS = 250

/**
 * The last `capacity` ticks of every metric, in the column layout uPlot draws from. Fed
 * from `on: { metric }`, which sees every message; the charts read it once per render.
 */
export class MetricStore {
  readonly x: number[] = []
  readonly columns: Record<MetricName, Array<number | null>>
  readonly latest: Record<MetricName, number | null>
  received = 0
  private lastSeq = -1
  private lastT = 0

  constructor(readonly capacity: number) {
    this.columns = { cpu: [], memory: [], rps: [], latency: [] }
    this.latest = { cpu: null, memory: null, rps: null, latency: null }
  }

  push(sample: MetricSample): void {
    this.received++
    this.latest[sample.name] = sample.v
    if (sample.seq !== this.lastSeq) {
      if (this.x.length > 0 && sample.t - this.lastT > GAP_MS)
        this.row(this.lastT / 1000 + 0.001, null)
      // A new tick starts with the latest values, so a row is never half empty on screen.
      this.row(sample.t / 1000, 'latest')
      this.lastSeq = sample.seq
      this.lastT = sample.t
    }
    const column = this.columns[sample.name]
    column[column.length - 1] = sample.v
  }

  /** Lowest and highest value of a metric in the window. */
  range(name: MetricName): { min: number; max: number } | null {
    let min = Number.POSITIVE_INFINITY
    let max = Number.NEGATIVE_INFINITY
    for (const v of this.columns[name]) {
      if (v === null) continue
      if (v < min) min = v
      if (v > max) max = v
    }
    return min === Number.POSITIVE_INFINITY ? null : { min, max }
  }

  private row(x: number, fill: 'latest' | null): void {
    this.x.push(x)
    for (const name of METRICS) this.columns[name].push(fill ? this.latest[name] : null)
    if (this.x.length > this.capacity) {
      this.x.shift()
      for (const name of METRICS) this.columns[name].shift()
    }
  }
}

export interface ChartSpec {
  id: string
  title: string
  unit: string
  range?: [number, number]
  series: ReadonlyArray<{ name: MetricName; label: string; color: string }>
}

export const CHARTS: readonly ChartSpec[] = [
  {
    id: 'load',
    title: 'CPU and memory',
    unit: '%',
    range: [0, 100],
    series: [
      { name: 'cpu', label: 'CPU', color: '#4f46e5' },
      { name: 'memory', label: 'Memory', color: '#0ea5a4' },
    ],
  },
  {
    id: 'rps',
    title: 'Requests',
    unit: 'req/s',
    series: [{ name: 'rps', label: 'Requests', color: '#f59e0b' }],
  },
  {
    id: 'latency',
    title: 'Latency (p95)',
    unit: 'ms',
    series: [{ name: 'latency', label: 'Latency', color: '#e11d48' }],
  },
]

/** Axis colours from the stylesheet, so the charts follow dark mode. */
function axis() {
  const css = getComputedStyle(document.documentElement)
  const read = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback
  const grid = read('--chart-grid', '#eef1f6')
  return {
    stroke: read('--chart-axis', '#64748b'),
    font: '11px Inter, system-ui, sans-serif',
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
  }
}

const pad = (n: number) => String(n).padStart(2, '0')
const clock = (seconds: number) => {
  const d = new Date(seconds * 1000)
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

function options(spec: ChartSpec, width: number, height: number): uPlot.Options {
  const AXIS = axis()
  return {
    width,
    height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    scales: {
      x: { time: true },
      y: spec.range
        ? { range: spec.range }
        : { range: (_u, min, max) => [Math.max(0, min * 0.9), max * 1.1 || 1] },
    },
    axes: [
      {
        ...AXIS,
        space: 80,
        // Whole seconds, as a clock: no sub-second ticks, no date row.
        incrs: [1, 2, 5, 10, 30, 60],
        values: (_u, splits) => splits.map(clock),
      },
      { ...AXIS, size: 48, values: (_u, values) => values.map((v) => `${Math.round(v)}`) },
    ],
    series: [
      {},
      ...spec.series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 2,
        fill: `${s.color}14`,
        points: { show: false },
      })),
    ],
  }
}

/**
 * The dashboard's uPlot charts, one per `[data-chart=id]` element inside `root`. Both the
 * React and the Vue page use this class and call `update` once per render.
 */
export class LiveCharts {
  private readonly charts: Array<{ spec: ChartSpec; plot: uPlot; host: HTMLElement }> = []
  private readonly resize: ResizeObserver

  constructor(root: HTMLElement, height = 170) {
    this.resize = new ResizeObserver(() => this.fit())
    for (const spec of CHARTS) {
      const host = root.querySelector<HTMLElement>(`[data-chart="${spec.id}"]`)
      if (!host) continue
      const plot = new uPlot(options(spec, Math.max(200, host.clientWidth), height), [[]], host)
      this.charts.push({ spec, plot, host })
      this.resize.observe(host)
    }
  }

  update(store: MetricStore): void {
    for (const { spec, plot } of this.charts) {
      plot.setData([store.x, ...spec.series.map((s) => store.columns[s.name])])
    }
  }

  destroy(): void {
    this.resize.disconnect()
    for (const { plot } of this.charts) plot.destroy()
    this.charts.length = 0
  }

  private fit(): void {
    for (const { plot, host } of this.charts) {
      const width = Math.max(200, host.clientWidth)
      if (width !== plot.width) plot.setSize({ width, height: plot.height })
    }
  }
}

export function formatMetric(name: MetricName, value: number | null): string {
  if (value === null) return '—'
  switch (name) {
    case 'cpu':
    case 'memory':
      return value.toFixed(1)
    case 'rps':
      return Math.round(value).toLocaleString('en-US')
    case 'latency':
      return value.toFixed(0)
  }
}

export const METRIC_LABELS: Record<MetricName, { label: string; unit: string; max: number }> = {
  cpu: { label: 'CPU', unit: '%', max: 100 },
  memory: { label: 'Memory', unit: '%', max: 100 },
  rps: { label: 'Requests', unit: 'req/s', max: 2000 },
  latency: { label: 'Latency p95', unit: 'ms', max: 150 },
}

/** How full a KPI's bar is: the value on a fixed scale, 0 to 1. */
export function gauge(name: MetricName, value: number | null): number {
  return value === null ? 0 : Math.min(1, Math.max(0, value / METRIC_LABELS[name].max))
}
