import { type CloseInfo, ReadyState, useWebSocket } from '@tethered/react'
import { useCallback, useRef, useState } from 'react'
import { clockTime, describeClose, describeStop } from '../shared/format'
import { HEARTBEAT, type PlaygroundEvents, SOCKET_PATH } from '../shared/protocol'
import { StatusLine } from './common'

type Outgoing = { type: 'echo'; data: PlaygroundEvents['out']['echo'] }

interface LogEntry {
  id: number
  at: number
  dir: 'in' | 'out' | 'event' | 'error'
  text: string
}

const READY_NAMES: Record<number, string> = {
  [-1]: 'UNINSTANTIATED',
  0: 'CONNECTING',
  1: 'OPEN',
  2: 'CLOSING',
  3: 'CLOSED',
}

export function ConnectionPage() {
  const [log, setLog] = useState<LogEntry[]>([])
  const [draft, setDraft] = useState('Hello, server!')
  const [stopped, setStopped] = useState<string | null>(null)
  const nextId = useRef(0)

  const add = useCallback((dir: LogEntry['dir'], text: string) => {
    const entry = { id: nextId.current++, at: Date.now(), dir, text }
    setLog((entries) => [entry, ...entries].slice(0, 150))
  }, [])

  // `connect = false`: nothing opens until the Connect button calls `open()`.
  const ws = useWebSocket<unknown, Outgoing>(
    SOCKET_PATH,
    {
      heartbeat: HEARTBEAT,
      onOpen: () => {
        setStopped(null)
        add('event', 'open')
      },
      onMessage: (event) => add('in', typeof event.data === 'string' ? event.data : '[binary]'),
      onClose: (info: CloseInfo) => add('event', `close ${describeClose(info)}`),
      onError: (error) => add('error', `${error.code}: ${error.message}`),
      onReconnectStop: (info) => {
        setStopped(describeStop(info))
        add('event', `reconnect stopped (${info.reason})`)
      },
    },
    false,
  )

  const canConnect =
    ws.readyState === ReadyState.UNINSTANTIATED || ws.readyState === ReadyState.CLOSED
  const isOpen = ws.readyState === ReadyState.OPEN

  const send = () => {
    const text = draft.trim()
    if (!text) return
    const message: Outgoing = { type: 'echo', data: { text } }
    if (ws.sendJsonMessage(message, false)) add('out', JSON.stringify(message))
  }

  return (
    <div className="grid grid-sidebar-left">
      <div className="stack">
        <section className="card" aria-labelledby="controls-title">
          <div className="card-head">
            <h2 className="card-title" id="controls-title">
              Socket
            </h2>
          </div>
          <StatusLine
            readyState={ws.readyState}
            reconnectAttempt={ws.reconnectAttempt}
            nextReconnectAt={ws.nextReconnectAt}
            stopped={stopped}
          />
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
            <dt>readyState</dt>
            <dd data-testid="ready-state">
              {ws.readyState} · {READY_NAMES[ws.readyState]}
            </dd>
            <dt>Endpoint</dt>
            <dd>{SOCKET_PATH}</dd>
            <dt>Heartbeat</dt>
            <dd>
              ping after {HEARTBEAT.interval / 1000} s quiet, dead after {HEARTBEAT.timeout / 1000}{' '}
              s more
            </dd>
            <dt>Last error</dt>
            <dd>{ws.error ? ws.error.code : '—'}</dd>
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
            <button type="submit" className="btn btn-primary" disabled={!isOpen}>
              Send
            </button>
          </form>
          <p className="card-note">
            The server echoes it back. Connect is enabled only while closed; Send and Close only
            while open.
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
  )
}
