import { useEffect, useState } from 'react'
import { describeStatus, type StatusInput } from '../shared/format'

/** The current time, refreshed every `interval` ms while `active` (for countdowns). */
export function useNow(active: boolean, interval = 100): number {
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    if (!active) return
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), interval)
    return () => clearInterval(timer)
  }, [active, interval])
  return active ? now : Date.now()
}

/** The status line: state, reconnect attempt and a countdown to the next try. */
export function StatusLine(props: StatusInput) {
  const now = useNow(props.nextReconnectAt !== null)
  const status = describeStatus(props, now)
  return (
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
  )
}
