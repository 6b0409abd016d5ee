import { type CloseInfo, useWebSocket } from '@tethered/react'
import { useCallback, useRef, useState } from 'react'
import { clockTime, describeClose } from '../shared/format'
import { HEARTBEAT, type PlaygroundEvents, SOCKET_PATH } from '../shared/protocol'
import { describeError, SocketWatch } from '../shared/socket-watch'
import { describeStopInfo } from '../shared/status'
import source from './ConnectionPage.tsx?raw'
import { StatusLine } from './StatusLine'
import { UnderTheHood } from './UnderTheHood'

type Outgoing = { type: 'echo'; data: PlaygroundEvents['out']['echo'] }

interface LogEntry {
  id: number
  at: number
  dir: 'in' | 'out' | 'event' | 'error'
  text: string
}

export function ConnectionPage() {
  const [log, setLog] = useState<LogEntry[]>([])
  const [draft, setDraft] = useState('Hello, server!')
  const [watch] = useState(() => new SocketWatch())
  const nextId = useRef(0)

  const add = useCallback((dir: LogEntry['dir'], text: string) => {
    const entry = { id: nextId.current++, at: Date.now(), dir, text }
    setLog((entries) => [entry, ...entries].slice(0, 150))
  }, [])

  // #region hook
  // `connect = false`: nothing opens until Connect calls `open()`.
  const ws = useWebSocket<unknown, Outgoing>(
    SOCKET_PATH,
    {
      heartbeat: HEARTBEAT, // { interval: 2000, timeout: 2000 }
      onOpen: (event) => {
        watch.opened(event)
        add('event', 'open')
      },
      onMessage: (event) => add('in', typeof event.data === 'string' ? event.data : '[binary]'),
      onClose: (info: CloseInfo) => add('event', `close ${describeClose(info)}`),
      onError: (error) => {
        watch.errored()
        add('error', describeError(error))
      },
      onReconnectStop: (info) => add('event', `reconnect stopped (${info.reason})`),
    },
    false,
  )
  // Buttons follow the engine's `status`, not `readyState`: CLOSED can mean
  // "retrying in 3 s", "waiting for the network" or "stopped".
  const canConnect = ws.status === 'idle' || ws.status === 'stopped'
  const isOpen = ws.status === 'open'
  // #endregion hook

  const send = () => {
    const text = draft.trim()
    if (!text) return
    const message: Outgoing = { type: 'echo', data: { text } }
    if (ws.sendJsonMessage(message, false)) add('out', JSON.stringify(message))
  }

  return (
    <div className="stack">
      <div className="grid grid-sidebar-left">
        <div className="stack">
          <section className="card" aria-labelledby="controls-title">
            <div className="card-head">
              <h2 className="card-title" id="controls-title">
                Socket
              </h2>
            </div>
            <StatusLine socket={ws} watch={watch} />
            <div className="btn-row" style={{ marginTop: 16 }}>
              <button
                type="button"
                className="btn btn-primary"
                disabled={!canConnect}
                onClick={() => ws.open()}
              >
                Connect
              </button>
              <button
                type="button"
                className="btn btn-danger"
                disabled={!isOpen}
                onClick={() => ws.close()}
              >
                Close
              </button>
            </div>
            <dl className="facts">
              <dt>Endpoint</dt>
              <dd>{SOCKET_PATH}</dd>
              <dt>Heartbeat</dt>
              <dd>
                ping after {HEARTBEAT.interval / 1000} s quiet, dead after{' '}
                {HEARTBEAT.timeout / 1000} s more
              </dd>
              {ws.status === 'stopped' && (
                <>
                  <dt>Stopped</dt>
                  <dd>{describeStopInfo(ws.stopped)}</dd>
                </>
              )}
            </dl>
          </section>

          <section className="card" aria-labelledby="send-title">
            <div className="card-head">
              <h2 className="card-title" id="send-title">
                Send
              </h2>
            </div>
            <form
              className="inline-form"
              onSubmit={(event) => {
                event.preventDefault()
                send()
              }}
            >
              <input
                className="input"
                aria-label="Message"
                value={draft}
                onChange={(event) => setDraft(event.target.value)}
              />
              <button type="submit" className="btn btn-primary" disabled={!isOpen || !draft.trim()}>
                Send
              </button>
            </form>
            <p className="card-note">
              The server echoes it back. Connect is enabled while idle or stopped; Send while open
              and there is text; Close while open. While a reconnect waits, the status line offers
              Retry now and Stop.
            </p>
          </section>
        </div>

        <section className="card" aria-labelledby="log-title">
          <div className="card-head">
            <h2 className="card-title" id="log-title">
              Message log
            </h2>
            <button
              type="button"
              className="btn btn-ghost"
              onClick={() => setLog([])}
              disabled={log.length === 0}
            >
              Clear
            </button>
          </div>
          <ol className="log" data-testid="log">
            {log.length === 0 && <li className="empty">Nothing yet. Press Connect.</li>}
            {log.map((entry) => (
              <li key={entry.id} className="log-entry" data-dir={entry.dir}>
                <span className="log-time">{clockTime(entry.at)}</span>
                <span className={`tag tag--${entry.dir}`}>{entry.dir}</span>
                <span className="log-text">{entry.text}</span>
              </li>
            ))}
          </ol>
        </section>
      </div>
      <UnderTheHood snapshot={ws} watch={watch} source={source} file="react/ConnectionPage.tsx" />
    </div>
  )
}
