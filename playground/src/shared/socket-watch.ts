import type { ConnectionStatus, StopInfo, TetheredError, TetheredErrorCode } from '@tethered/core'
import { clockTime, seconds } from './format'
import { HEARTBEAT } from './protocol'

/**
 * What a page sees of its socket beyond the snapshot: when anything last arrived (the
 * heartbeat's `pong` included, which the engine consumes and never surfaces) and when the
 * socket last opened, so an error from before that open reads as past.
 *
 * The engine tracks the same (its heartbeat's last inbound time and pending probe) but does
 * not put it in the snapshot, so the page listens to the raw socket it is handed on open.
 */
export class SocketWatch {
  private socket: EventTarget | null = null
  openedAt: number | null = null
  lastInboundAt: number | null = null
  errorAt: number | null = null

  private readonly onMessage = (event: Event) => {
    if (event.currentTarget === this.socket) this.lastInboundAt = Date.now()
  }

  /** From `onOpen`: its event's target is the socket that just opened. */
  readonly opened = (event: Event): void => {
    this.socket?.removeEventListener('message', this.onMessage)
    this.socket = event.target
    this.socket?.addEventListener('message', this.onMessage)
    this.openedAt = Date.now()
    this.lastInboundAt = null
  }

  /** From `onError`. */
  readonly errored = (): void => {
    this.errorAt = Date.now()
  }

  /** Time since the open socket last received anything, or `null` when not open. */
  silentFor(status: ConnectionStatus, now: number): number | null {
    if (status !== 'open' || this.openedAt === null) return null
    return now - Math.max(this.openedAt, this.lastInboundAt ?? 0)
  }

  /** The last error happened before the socket opened again. */
  errorIsPast(status: ConnectionStatus): boolean {
    return (
      status === 'open' &&
      this.errorAt !== null &&
      this.openedAt !== null &&
      this.errorAt < this.openedAt
    )
  }

  dispose(): void {
    this.socket?.removeEventListener('message', this.onMessage)
    this.socket = null
  }
}

const ERROR_TEXT: Partial<Record<TetheredErrorCode, string>> = {
  SOCKET:
    'the socket failed: refused, unreachable or dropped (a browser gives no reason; the close that follows has the code)',
  HEARTBEAT_TIMEOUT: `no answer to the heartbeat probe within ${seconds(HEARTBEAT.timeout, 0)}: declared dead`,
  CONNECT_TIMEOUT: 'not open within connectTimeout',
  PROTOCOL: 'the server broke the wire format (closed with 1002)',
  PARSE: 'a message that is not JSON',
  QUEUE_OVERFLOW: 'the send queue was full: the oldest message was dropped',
  REQUEST_TIMEOUT: 'a request got no reply in time',
  REQUEST_CLOSED: 'the connection closed before a request was answered',
}

/** An error in words for the log: its code and what it means here. */
export function describeError(error: Pick<TetheredError, 'code' | 'message'>): string {
  return `${error.code}: ${ERROR_TEXT[error.code] ?? error.message}`
}

const READY_NAMES: Record<number, string> = {
  [-1]: 'UNINSTANTIATED',
  0: 'CONNECTING',
  1: 'OPEN',
  2: 'CLOSING',
  3: 'CLOSED',
}

export interface InspectedSnapshot {
  readyState: number
  status: ConnectionStatus
  stopped: StopInfo | null
  reconnectAttempt: number
  nextReconnectAt: number | null
  error: TetheredError | null
  resumed: boolean | null
}

export interface InspectorRow {
  key: string
  value: string
  /** Not a snapshot field: what the page saw on the socket. */
  observed?: boolean
}

/** The snapshot inspector's rows: every field a UI reads, as it is now. */
export function inspectSnapshot(
  snapshot: InspectedSnapshot,
  watch: SocketWatch,
  now: number,
): InspectorRow[] {
  const { nextReconnectAt, error, stopped } = snapshot
  const silent = watch.silentFor(snapshot.status, now)
  let errorText = 'null'
  if (error) {
    const at = watch.errorAt === null ? '' : ` at ${clockTime(watch.errorAt)}`
    errorText = watch.errorIsPast(snapshot.status)
      ? `${error.code}${at} (past: open again since ${clockTime(watch.openedAt ?? now)})`
      : `${error.code}${at}`
  }
  return [
    {
      key: 'readyState',
      value: `${snapshot.readyState} · ${READY_NAMES[snapshot.readyState] ?? '?'}`,
    },
    { key: 'status', value: snapshot.status },
    {
      key: 'stopped',
      value: stopped
        ? `${stopped.reason}${stopped.code === null ? '' : ` · ${stopped.code}`}`
        : 'null',
    },
    { key: 'reconnectAttempt', value: String(snapshot.reconnectAttempt) },
    {
      key: 'nextReconnectAt',
      value:
        nextReconnectAt === null
          ? 'null'
          : `${clockTime(nextReconnectAt)} (in ${seconds(nextReconnectAt - now)})`,
    },
    { key: 'error', value: errorText },
    { key: 'resumed', value: String(snapshot.resumed) },
    {
      key: 'last received',
      value: silent === null ? '—' : `${seconds(silent)} ago`,
      observed: true,
    },
  ]
}
