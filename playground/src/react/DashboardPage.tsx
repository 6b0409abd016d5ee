import { useSocket } from '@tethered/react'
import { useEffect, useLayoutEffect, useRef, useState } from 'react'
import {
  CHARTS,
  formatMetric,
  gauge,
  LiveCharts,
  METRIC_LABELS,
  MetricStore,
} from '../shared/metrics'
import {
  HEARTBEAT,
  METRIC_HZ,
  METRICS,
  type PlaygroundEvents,
  SOCKET_PATH,
} from '../shared/protocol'
import { RateMeter, type Rates } from '../shared/rate'
import { SocketWatch } from '../shared/socket-watch'
import source from './DashboardPage.tsx?raw'
import { StatusLine } from './StatusLine'
import { UnderTheHood } from './UnderTheHood'

/** The stream sends 160 messages a second: a half-second silence is already news. */
const QUIET_AFTER = 500

export function DashboardPage() {
  const [store] = useState(() => new MetricStore(METRIC_HZ * 12))
  const [meters] = useState(() => ({ messages: new RateMeter(), renders: new RateMeter() }))
  const [rates, setRates] = useState<Rates>({ messages: 0, renders: 0 })
  const chartsRoot = useRef<HTMLDivElement>(null)
  const charts = useRef<LiveCharts | null>(null)
  const [watch] = useState(() => new SocketWatch())

  // #region hook
  // `on.metric` sees every message (about 160 a second); `types` makes `lastMessage` move
  // for metrics only, and core batches the notifications per animation frame, so this
  // component renders at most once per frame however many messages arrived.
  const dash = useSocket<PlaygroundEvents, 'metric'>(SOCKET_PATH, {
    queryParams: { stream: 'metrics' },
    heartbeat: HEARTBEAT,
    types: ['metric'],
    on: {
      metric: (sample) => {
        store.push(sample)
        meters.messages.tick()
      },
    },
    onOpen: watch.opened,
    onError: watch.errored,
  })
  // #endregion hook

  useEffect(() => {
    if (!chartsRoot.current) return
    const live = new LiveCharts(chartsRoot.current)
    charts.current = live
    live.update(store)
    return () => {
      live.destroy()
      charts.current = null
    }
  }, [store])

  // Runs after every commit: counts renders and redraws the charts from the store.
  useLayoutEffect(() => {
    meters.renders.tick()
    charts.current?.update(store)
  })

  useEffect(() => {
    const timer = setInterval(() => {
      const now = performance.now()
      setRates({ messages: meters.messages.sample(now), renders: meters.renders.sample(now) })
    }, 1000)
    return () => clearInterval(timer)
  }, [meters])

  const perRender = rates.renders > 0 ? rates.messages / rates.renders : 0

  return (
    <div className="stack">
      <div className="kpis">
        {METRICS.map((name) => {
          const value = store.latest[name]
          const range = store.range(name)
          const { label, unit } = METRIC_LABELS[name]
          return (
            <section key={name} className="card kpi" aria-label={label}>
              <div className="kpi-label">{label}</div>
              <div className="kpi-value">
                <span data-testid={`metric-${name}`}>{formatMetric(name, value)}</span>
                <span className="kpi-unit">{unit}</span>
              </div>
              <div className="kpi-range">
                {range
                  ? `${formatMetric(name, range.min)} – ${formatMetric(name, range.max)} in the last 12 s`
                  : 'waiting for data'}
              </div>
              <div className="kpi-bar">
                <span style={{ width: `${Math.round(gauge(name, value) * 100)}%` }} />
              </div>
            </section>
          )
        })}
      </div>

      <div className="grid grid-sidebar">
        <div className="stack" ref={chartsRoot}>
          {CHARTS.map((spec) => (
            <section key={spec.id} className="card chart-card" aria-label={spec.title}>
              <div className="card-head">
                <h3>
                  {spec.title} <span className="chart-unit">{spec.unit}</span>
                </h3>
                <div className="legend">
                  {spec.series.map((s) => (
                    <span key={s.name}>
                      <i style={{ background: s.color }} />
                      {s.label}
                    </span>
                  ))}
                </div>
              </div>
              <div className="chart" data-chart={spec.id} />
            </section>
          ))}
        </div>

        <aside className="stack">
          <section className="card" aria-labelledby="stream-title">
            <div className="card-head">
              <h2 className="card-title" id="stream-title">
                Stream
              </h2>
            </div>
            <StatusLine socket={dash} watch={watch} quietAfter={QUIET_AFTER} />
            <div className="meters" style={{ marginTop: 14 }}>
              <div className="meter">
                <div className="meter-value" data-testid="messages-per-second">
                  {Math.round(rates.messages)}
                </div>
                <div className="meter-label">messages/s</div>
              </div>
              <div className="meter meter--accent">
                <div className="meter-value" data-testid="renders-per-second">
                  {Math.round(rates.renders)}
                </div>
                <div className="meter-label">renders/s</div>
              </div>
              <div className="meter">
                <div className="meter-value" data-testid="messages-per-render">
                  {perRender.toFixed(1)}
                </div>
                <div className="meter-label">per render</div>
              </div>
            </div>
            <dl className="facts">
              <dt>Received</dt>
              <dd data-testid="messages-total">{store.received.toLocaleString('en-US')}</dd>
              <dt>Server rate</dt>
              <dd>
                {METRIC_HZ} ticks/s × {METRICS.length} metrics
              </dd>
            </dl>
          </section>
          <section className="card">
            <div className="card-head">
              <h2 className="card-title">How it stays smooth</h2>
            </div>
            <ul className="hint-list">
              <li>
                Every metric is its own message; <code>on.metric</code> sees each one and fills the
                chart buffers.
              </li>
              <li>
                Re-renders are batched per animation frame, so renders/s stays at or below the
                display rate while messages/s is several times higher.
              </li>
            </ul>
          </section>
        </aside>
      </div>
      <UnderTheHood snapshot={dash} watch={watch} source={source} file="react/DashboardPage.tsx" />
    </div>
  )
}
