import { ReadyState } from '@tethered/core'

/** The tone of a status pill; each has a colour in styles.css. */
export type Tone =
  | 'idle'
  | 'connecting'
  | 'open'
  | 'closing'
  | 'closed'
  | 'reconnecting'
  | 'stopped'

export interface StatusView {
  tone: Tone
  label: string
  detail: string
}

export interface StatusInput {
  readyState: number
  reconnectAttempt: number
  nextReconnectAt: number | null
  /** Set once the engine gave up (`onReconnectStop`): why. */
  stopped?: string | null | undefined
}

const CLOSE_NAMES: Record<number, string> = {
  1000: 'normal closure',
  1001: 'going away',
  1005: 'no status',
  1006: 'abnormal closure',
  1008: 'policy violation',
  1011: 'server error',
  1012: 'service restart',
  1013: 'try again later',
  4409: 'replaced by a newer connection',
}

export function closeName(code: number): string {
  return CLOSE_NAMES[code] ?? (code >= 3000 ? 'application code' : 'close')
}

export function describeClose(info: { code: number; reason: string }): string {
  const name = closeName(info.code)
  const reason = info.reason && info.reason !== name ? ` — “${info.reason}”` : ''
  return `${info.code} ${name}${reason}`
}

/** The status detail once the engine stopped retrying. */
export function describeStop(info: {
  reason: 'attempts' | 'policy'
  attempts: number
  close: { code: number } | null
}): string {
  if (info.reason === 'attempts') return `Gave up after ${info.attempts} attempts`
  return info.close ? `Not retried: close ${info.close.code}` : 'Not retried'
}

export function seconds(ms: number, digits = 1): string {
  return `${(Math.max(0, ms) / 1000).toFixed(digits)} s`
}

/** The status line every page shows: what the socket is doing and, while waiting, when it retries. */
export function describeStatus(input: StatusInput, now: number): StatusView {
  const { readyState, reconnectAttempt, nextReconnectAt, stopped } = input
  switch (readyState) {
    case ReadyState.UNINSTANTIATED:
      return { tone: 'idle', label: 'Not connected', detail: 'No socket yet' }
    case ReadyState.CONNECTING:
      return {
        tone: 'connecting',
        label: 'Connecting',
        detail: reconnectAttempt > 0 ? `Reconnect attempt ${reconnectAttempt}` : 'Opening socket…',
      }
    case ReadyState.OPEN:
      return { tone: 'open', label: 'Open', detail: 'Connected' }
    case ReadyState.CLOSING:
      return { tone: 'closing', label: 'Closing', detail: 'Closing handshake…' }
    default:
      if (nextReconnectAt !== null) {
        return {
          tone: 'reconnecting',
          label: 'Reconnecting',
          detail: `Attempt ${reconnectAttempt} in ${seconds(nextReconnectAt - now)}`,
        }
      }
      if (stopped) return { tone: 'stopped', label: 'Closed', detail: stopped }
      return { tone: 'closed', label: 'Closed', detail: 'Not reconnecting' }
  }
}

export function clockTime(at: number): string {
  const d = new Date(at)
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

export function shortTime(at: number): string {
  const d = new Date(at)
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
}

/** The socket url for a page: same origin, `/ws`. Core turns http(s) into ws(s). */
export function socketUrl(path: string): string {
  return new URL(path, location.href).href
}

/** The fault page's session line. */
export function describeSession(reliable: boolean, resumed: boolean | null): string {
  if (!reliable) return 'none: plain messages, what is in flight when the socket dies is lost'
  if (resumed === null) return 'new session (acknowledged delivery)'
  return resumed ? 'resumed: what was missed was replayed' : 'not resumed: a new session, refetch'
}

/** A random id for this page load (the fault page's `client` query parameter). */
export function pageId(): string {
  const bytes = new Uint8Array(12)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** The fault page's data line: the tick rate, and why it is high right after a resume. */
export function flowDetail(rate: number, serverRate: number): string {
  const perSecond = `${Math.round(rate)} ticks/s`
  return rate > serverRate * 1.5
    ? `${perSecond}: catching up on replayed ticks`
    : `${perSecond} (server sends ${serverRate}/s)`
}
