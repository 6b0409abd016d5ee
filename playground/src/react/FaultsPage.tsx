import { reliable as reliableDelivery } from '@tethered/core'
import { useSocket } from '@tethered/react'
import { useEffect, useState, useSyncExternalStore } from 'react'
import {
  FAULT_LABELS,
  FaultTracker,
  faultActions,
  killInstance,
  type PageFault,
} from '../shared/faults'
import { clockTime, describeSession, flowDetail, pageId, seconds } from '../shared/format'
import {
  HEARTBEAT,
  type PlaygroundEvents,
  RELIABLE_PATH,
  SOCKET_PATH,
  TICK_HZ,
} from '../shared/protocol'
import { WindowRate } from '../shared/rate'
import { SocketWatch } from '../shared/socket-watch'
import { useNow } from './common'
import source from './FaultsPage.tsx?raw'
import { StatusLine } from './StatusLine'
import { UnderTheHood } from './UnderTheHood'

/** 20 ticks a second: a half-second silence is already news. */
const QUIET_AFTER = 500

export function FaultsPage() {
  const [tracker] = useState(() => new FaultTracker())
  const [meter] = useState(() => new WindowRate())
  const [busy, setBusy] = useState<PageFault | null>(null)
  const entries = useSyncExternalStore(tracker.subscribe, tracker.getEntries)
  const now = useNow(true, 100)
  const [reliable, setReliable] = useState(readReliable)
  // Who this page is to the server: a reliable session is only resumed by the same client.
  const [client] = useState(pageId)
  const [watch] = useState(() => new SocketWatch())

  // #region hook
  // The toggle switches endpoint and delivery: a new url, so the hook reconnects.
  const socket = useSocket<PlaygroundEvents, 'tick'>(reliable ? RELIABLE_PATH : SOCKET_PATH, {
    ...(reliable ? { delivery: reliableDelivery } : {}),
    queryParams: { stream: 'ticks', client },
    heartbeat: HEARTBEAT,
    types: ['tick'],
    on: {
      tick: (tick) => {
        meter.tick()
        tracker.data(tick.seq)
      },
      // Under `pnpm cluster`: which instance serves this socket now.
      welcome: (welcome) => tracker.served(welcome.instance),
    },
    onOpen: (event) => {
      watch.opened(event)
      tracker.opened()
    },
    onClose: (info) => tracker.closed(info),
    onError: (error) => {
      watch.errored()
      if (error.code === 'HEARTBEAT_TIMEOUT') tracker.heartbeatTimeout()
    },
  })

  // Retries are in the snapshot: `status`, `reconnectAttempt`, `nextReconnectAt`.
  useEffect(() => {
    tracker.retry(socket.status, socket.reconnectAttempt, socket.nextReconnectAt)
  }, [socket.status, socket.nextReconnectAt, socket.reconnectAttempt, tracker])
  // #endregion hook

  const trigger = (kind: PageFault) => {
    setBusy(kind)
    tracker.requested(kind)
    const instance = tracker.instance
    const ask =
      kind === 'kill'
        ? killInstance(instance ?? '')
        : socket.request('fault', { kind }, { timeout: 3_000 })
    ask.then(
      (ack) => {
        tracker.acknowledged(ack)
        setBusy(null)
      },
      (error: Error) => {
        tracker.rejected(kind, error.message)
        setBusy(null)
      },
    )
  }

  const toggleReliable = (on: boolean) => {
    writeReliable(on)
    tracker.reset(on ? 'Reliable delivery on' : 'Reliable delivery off')
    setReliable(on)
  }

  const isOpen = socket.status === 'open'
  const silence = tracker.lastDataAt === null ? null : now - tracker.lastDataAt
  const flowing = isOpen && silence !== null && silence < 500
  const flowState = flowing ? 'flowing' : tracker.lastDataAt === null ? 'waiting' : 'stalled'

  return (
    <div className="grid grid-2">
      <div className="stack">
        <section className="card" aria-labelledby="conn-title">
          <div className="card-head">
            <h2 className="card-title" id="conn-title">
              Connection
            </h2>
          </div>
          <StatusLine socket={socket} watch={watch} quietAfter={QUIET_AFTER} />
          <div
            className={`flow flow--${flowState}`}
            data-testid="flow"
            data-state={flowState}
            style={{ marginTop: 12 }}
          >
            <span className="flow-dot" aria-hidden="true" />
            <div>
              <div className="flow-title">
                {flowing
                  ? 'Data flowing'
                  : flowState === 'waiting'
                    ? 'Waiting for data'
                    : 'No data'}
              </div>
              <div className="flow-detail">
                {flowing
                  ? flowDetail(meter.rate(), TICK_HZ)
                  : silence === null
                    ? '—'
                    : `Last message ${seconds(silence)} ago`}
              </div>
            </div>
            <div className="flow-seq" data-testid="last-seq">
              #{tracker.lastSeq ?? '—'}
            </div>
          </div>
          <label className="toggle">
            <input
              type="checkbox"
              checked={reliable}
              onChange={(event) => toggleReliable(event.target.checked)}
            />
            <div>
              <strong>Reliable delivery</strong>
              <span>
                Acknowledged messages and session resume: after a cut or a black-hole the server
                replays the ticks this page missed.
              </span>
            </div>
          </label>
          <dl className="facts">
            <dt>Missed ticks</dt>
            <dd data-testid="missed">{tracker.missed}</dd>
            <dt>Repeated ticks</dt>
            <dd data-testid="repeated">{tracker.repeated}</dd>
            {tracker.instance !== null && (
              <>
                <dt>Instance</dt>
                <dd data-testid="instance">{tracker.instance}</dd>
              </>
            )}
            <dt>Session</dt>
            <dd data-testid="session" data-resumed={String(socket.resumed)}>
              {describeSession(reliable, socket.resumed)}
            </dd>
            <dt>Heartbeat</dt>
            <dd>
              ping after {HEARTBEAT.interval / 1000} s of silence, dead {HEARTBEAT.timeout / 1000} s
              later
            </dd>
            <dt>Backoff</dt>
            <dd>full jitter over 1 s, 2 s, 4 s … (max 30 s)</dd>
          </dl>
        </section>

        <section className="card" aria-labelledby="faults-title">
          <div className="card-head">
            <h2 className="card-title" id="faults-title">
              Fault controls
            </h2>
          </div>
          <div className="fault-actions">
            {faultActions(tracker.instance).map((action) => (
              <div key={action.kind} className="fault-action">
                <button
                  type="button"
                  className={action.danger ? 'btn btn-danger' : 'btn'}
                  disabled={!isOpen || busy !== null}
                  onClick={() => trigger(action.kind)}
                >
                  {action.label}
                </button>
                <p>{action.text}</p>
              </div>
            ))}
          </div>
        </section>
      </div>

      <section className="card" aria-labelledby="timeline-title">
        <div className="card-head">
          <h2 className="card-title" id="timeline-title">
            Timeline
          </h2>
          {busy && <span className="chart-unit">{FAULT_LABELS[busy]} requested…</span>}
          <button
            type="button"
            className="btn btn-ghost"
            onClick={tracker.clear}
            disabled={entries.length === 0}
          >
            Clear
          </button>
        </div>
        <ol className="timeline" data-testid="timeline">
          {entries.length === 0 && (
            <li className="empty">{isOpen ? 'Nothing since the last clear.' : 'Connecting…'}</li>
          )}
          {entries.map((entry) => (
            <li key={entry.id} className="timeline-entry" data-kind={entry.kind}>
              <span className="timeline-time">{clockTime(entry.at)}</span>
              <span className="timeline-mark" aria-hidden="true" />
              <div>
                <div className="timeline-title">{entry.title}</div>
                <div className="timeline-detail">{entry.detail}</div>
              </div>
            </li>
          ))}
        </ol>
      </section>
      <div className="span-all">
        <UnderTheHood snapshot={socket} watch={watch} source={source} file="react/FaultsPage.tsx" />
      </div>
    </div>
  )
}

/** `?reliable=1` in the address keeps the choice across reloads. */
function readReliable(): boolean {
  return new URLSearchParams(location.search).get('reliable') === '1'
}

function writeReliable(on: boolean): void {
  const url = new URL(location.href)
  if (on) url.searchParams.set('reliable', '1')
  else url.searchParams.delete('reliable')
  history.replaceState(null, '', url)
}
