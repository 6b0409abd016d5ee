import type { SocketWatch } from '../shared/socket-watch'
import { describeStatus, type StatusSnapshot, statusActions } from '../shared/status'
import { useNow } from './common'

export interface StatusLineProps {
  socket: StatusSnapshot & { open(): void; close(): void }
  /** What the page saw on the socket: silence while open. */
  watch?: SocketWatch
  /** Silence shown after this long (ms); see `describeStatus`. */
  quietAfter?: number
  /** What `idle` means on this page. */
  idle?: string
}

/**
 * The status line: the engine's `status` in words, and while it waits to reconnect, the
 * two things a user can do about it: retry now (`open()`) or stop (`close()`).
 */
export function StatusLine({ socket, watch, quietAfter, idle }: StatusLineProps) {
  const ticking = socket.status === 'reconnecting' || (socket.status === 'open' && !!watch)
  const now = useNow(ticking)
  const silentFor = watch?.silentFor(socket.status, now)
  const online = typeof navigator === 'undefined' ? undefined : navigator.onLine
  const status = describeStatus(socket, now, { silentFor, quietAfter, idle, online })
  const actions = statusActions(socket.status)
  return (
    <div className="status-line">
      <div
        className={`status status--${status.tone}`}
        data-testid="status"
        data-tone={status.tone}
        role="status"
      >
        <span className="status-dot" aria-hidden="true" />
        <strong className="status-label">{status.label}</strong>
        <span className="status-detail" data-testid="status-detail">
          {status.detail}
        </span>
      </div>
      {(actions.retry || actions.stop) && (
        <div className="status-actions">
          {actions.retry && (
            <button type="button" className="btn btn-small" onClick={() => socket.open()}>
              Retry now
            </button>
          )}
          {actions.stop && (
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => socket.close()}
            >
              Stop
            </button>
          )}
        </div>
      )}
    </div>
  )
}
