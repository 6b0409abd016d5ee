import type { ConnectionStatus, StopInfo } from '@tethered/core'
import { closeName, seconds } from './format'
import { HEARTBEAT } from './protocol'

/** The tone of a status pill: the engine's `status`, or `quiet` (open, but silent). */
export type Tone = ConnectionStatus | 'quiet'

export interface StatusView {
  tone: Tone
  label: string
  detail: string
}

/** The part of a snapshot the status line reads: what the engine says, never inferred. */
export interface StatusSnapshot {
  status: ConnectionStatus
  stopped: StopInfo | null
  reconnectAttempt: number
  nextReconnectAt: number | null
}

export interface StatusContext {
  /** Time since anything arrived on the open socket (see `SocketWatch`), ms. */
  silentFor?: number | null | undefined
  /**
   * Silence longer than this is shown. Pages fed by a steady stream pass a short one; the
   * default is the heartbeat interval plus a little: the probe went out and is unanswered.
   */
  quietAfter?: number | undefined
  /** What `idle` means on this page ("Join to connect", "You left the room"). */
  idle?: string | undefined
  /** `navigator.onLine`: the engine probes an open socket when the browser goes offline. */
  online?: boolean | undefined
}

/** Whole seconds, rounded up: a countdown never shows 0 s while it still waits. */
export function countdown(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))} s`
}

/** Why a connection stopped, from the snapshot's `stopped`. */
export function describeStopInfo(stopped: StopInfo | null): string {
  if (!stopped) return 'Will not reconnect until opened'
  const code = stopped.code === null ? '' : ` ${stopped.code} ${closeName(stopped.code)}`
  switch (stopped.reason) {
    case 'manual':
      return 'Closed by you: no reconnect until you connect'
    case 'policy':
      return `Not retried: close${code}`
    case 'attempts':
      return 'Gave up: every reconnect attempt used'
    case 'error':
      return 'Failed: nothing to retry (see the error)'
  }
}

/**
 * The status line every page shows, from the snapshot's `status` and `stopped`: what the
 * socket is doing and, while waiting, for what. While open it adds what the page saw on
 * the socket: a silence the heartbeat is checking.
 */
export function describeStatus(
  snapshot: StatusSnapshot,
  now: number,
  context: StatusContext = {},
): StatusView {
  const { reconnectAttempt, nextReconnectAt } = snapshot
  switch (snapshot.status) {
    case 'idle':
      return { tone: 'idle', label: 'Not connected', detail: context.idle ?? 'No socket yet' }
    case 'connecting':
      return {
        tone: 'connecting',
        label: 'Connecting',
        detail: reconnectAttempt > 0 ? `Reconnect attempt ${reconnectAttempt}` : 'Opening socket…',
      }
    case 'open': {
      const silent = context.silentFor ?? 0
      const quietAfter = context.quietAfter ?? HEARTBEAT.interval + 250
      if (context.online === false) {
        const dead = seconds(HEARTBEAT.timeout, 0)
        return {
          tone: 'quiet',
          label: 'Open',
          detail: `the browser reports no network: heartbeat probe sent, dead if unanswered for ${dead}`,
        }
      }
      if (silent < quietAfter) return { tone: 'open', label: 'Open', detail: 'Connected' }
      return { tone: 'quiet', label: 'Open', detail: describeSilence(silent) }
    }
    case 'closing':
      return { tone: 'closing', label: 'Closing', detail: 'Closing handshake…' }
    case 'reconnecting':
      return {
        tone: 'reconnecting',
        label: 'Reconnecting',
        detail: `in ${countdown((nextReconnectAt ?? now) - now)} · attempt ${reconnectAttempt}`,
      }
    case 'offline':
      return { tone: 'offline', label: 'Offline', detail: 'Reconnects when the network returns' }
    case 'stopped':
      return { tone: 'stopped', label: 'Stopped', detail: describeStopInfo(snapshot.stopped) }
  }
}

/**
 * An open socket that has been silent: what the heartbeat is doing about it. The engine
 * sends its probe after `interval` of silence and declares the socket dead when nothing
 * answers within `timeout`.
 */
export function describeSilence(silentFor: number): string {
  const quiet = `nothing received for ${seconds(silentFor)}`
  if (silentFor < HEARTBEAT.interval) {
    return `${quiet}; heartbeat probe at ${seconds(HEARTBEAT.interval, 0)}`
  }
  const dead = seconds(HEARTBEAT.interval + HEARTBEAT.timeout, 0)
  return `${quiet}, heartbeat probe waiting for its answer (dead at ${dead})`
}

/** Which controls the status line offers: retrying now or stopping a pending reconnect. */
export function statusActions(status: ConnectionStatus): { retry: boolean; stop: boolean } {
  return {
    retry: status === 'reconnecting' || status === 'offline',
    stop: status === 'reconnecting' || status === 'offline' || status === 'connecting',
  }
}
