import { hookRegion } from '../shared/code'
import { type InspectedSnapshot, inspectSnapshot, type SocketWatch } from '../shared/socket-watch'
import { useNow } from './common'

/** The snapshot inspector: every field of the hook's snapshot, live. */
export function SnapshotInspector(props: { snapshot: InspectedSnapshot; watch: SocketWatch }) {
  const now = useNow(true, 250)
  const rows = inspectSnapshot(props.snapshot, props.watch, now)
  return (
    <section className="card" aria-labelledby="inspector-title">
      <div className="card-head">
        <h2 className="card-title" id="inspector-title">
          Snapshot
        </h2>
        <span className="chart-unit">what the hook returns</span>
      </div>
      <dl className="inspector" data-testid="inspector">
        {rows.map((row) => (
          <div
            key={row.key}
            className={row.observed ? 'inspector-row is-observed' : 'inspector-row'}
          >
            <dt>{row.key}</dt>
            <dd data-testid={`inspect-${row.key.replace(/ /g, '-')}`}>{row.value}</dd>
          </div>
        ))}
      </dl>
      <p className="card-note">
        “last received” is not in the snapshot: the page listens to the socket for it (the
        heartbeat’s pong included).
      </p>
    </section>
  )
}

/** The code panel: the hook call of this page, cut from the page's own source. */
export function CodePanel(props: { source: string; file: string }) {
  return (
    <section className="card code-card" aria-labelledby="code-title">
      <div className="card-head">
        <h2 className="card-title" id="code-title">
          The code
        </h2>
        <span className="chart-unit">{props.file}</span>
      </div>
      <pre className="code" data-testid="code-panel" data-file={props.file}>
        <code>{hookRegion(props.source, props.file)}</code>
      </pre>
    </section>
  )
}

/** Under every page: its code and its snapshot. */
export function UnderTheHood(props: {
  snapshot: InspectedSnapshot
  watch: SocketWatch
  source: string
  file: string
}) {
  return (
    <div className="grid grid-hood">
      <CodePanel source={props.source} file={props.file} />
      <SnapshotInspector snapshot={props.snapshot} watch={props.watch} />
    </div>
  )
}
