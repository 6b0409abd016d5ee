import { describeClose, seconds } from './format'
import { type FaultAck, type FaultKind, HEARTBEAT } from './protocol'

export type TimelineKind = 'fault' | 'lost' | 'failed' | 'retry' | 'open' | 'flowing' | 'note'

export interface TimelineEntry {
  id: number
  at: number
  kind: TimelineKind
  title: string
  detail: string
}

export const FAULT_LABELS: Record<FaultKind, string> = {
  cut: 'Cut',
  blackhole: 'Black-hole',
  restart: 'Restart',
}

const LIMIT = 60

/**
 * Turns what a connection reports (close, heartbeat death, retries, open, data) into the
 * fault page's timeline, with the times that matter: how long detection took, how long
 * until the socket was back, how long until data flowed again. Framework-free; both pages
 * feed it from their callbacks and subscribe to it.
 */
export class FaultTracker {
  private entries: TimelineEntry[] = []
  private readonly listeners = new Set<() => void>()
  private next = 0
  private open = false
  private heartbeatDeath = false
  private lostAt: number | null = null
  private fault: { kind: FaultKind; at: number } | null = null
  private waitingForData = false
  private lastRetryAt: number | null = null
  lastDataAt: number | null = null
  lastSeq: number | null = null
  /** Ticks that never arrived: gaps in the sequence numbers. */
  missed = 0
  private missedAtLoss = 0

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  readonly getEntries = (): readonly TimelineEntry[] => this.entries

  requested(kind: FaultKind, now: number = Date.now()): void {
    this.fault = { kind, at: now }
  }

  acknowledged(ack: FaultAck, now: number = Date.now()): void {
    this.add('fault', `${FAULT_LABELS[ack.kind]} requested`, ack.message, now)
  }

  rejected(kind: FaultKind, message: string, now: number = Date.now()): void {
    this.add('note', `${FAULT_LABELS[kind]} request failed`, message, now)
  }

  opened(now: number = Date.now()): void {
    this.open = true
    this.lastRetryAt = null
    if (this.lostAt === null) {
      this.add('open', 'Connected', 'Waiting for the stream…', now)
    } else {
      this.add('open', 'Reconnected', `${seconds(now - this.lostAt)} after the loss`, now)
    }
    this.waitingForData = true
  }

  /** A `HEARTBEAT_TIMEOUT` error: the close that follows was found by the heartbeat. */
  heartbeatTimeout(): void {
    this.heartbeatDeath = true
  }

  closed(info: { code: number; reason: string }, now: number = Date.now()): void {
    const byHeartbeat = this.heartbeatDeath
    this.heartbeatDeath = false
    if (!this.open) {
      this.add('failed', 'Attempt failed', describeClose(info), now)
      return
    }
    this.open = false
    this.waitingForData = false
    this.lostAt = now
    this.missedAtLoss = this.missed
    const since = this.fault
      ? ` · ${seconds(now - this.fault.at)} after the ${FAULT_LABELS[this.fault.kind].toLowerCase()} request`
      : ''
    if (byHeartbeat) {
      const silence =
        this.lastDataAt === null ? '' : ` ${seconds(now - this.lastDataAt)} after the last message`
      this.add(
        'lost',
        'Dead connection detected',
        `Heartbeat: no answer within ${seconds(HEARTBEAT.timeout, 0)}, declared dead${silence}${since}`,
        now,
      )
    } else {
      this.add('lost', 'Connection lost', `${describeClose(info)}${since}`, now)
    }
    this.fault = null
  }

  /** A retry was scheduled for `at` (from the snapshot's `nextReconnectAt`). */
  retry(attempt: number, at: number, now: number = Date.now()): void {
    if (this.lastRetryAt === at) return
    this.lastRetryAt = at
    this.add(
      'retry',
      `Retry ${attempt} scheduled`,
      `in ${seconds(at - now)} — exponential backoff with full jitter`,
      now,
    )
  }

  data(seq: number, now: number = Date.now()): void {
    this.lastDataAt = now
    if (this.lastSeq !== null && seq > this.lastSeq + 1) this.missed += seq - this.lastSeq - 1
    if (this.lastSeq === null || seq > this.lastSeq) this.lastSeq = seq
    if (!this.waitingForData) return
    this.waitingForData = false
    if (this.lostAt === null) {
      this.add('flowing', 'Data flowing', `tick #${seq}`, now)
      return
    }
    const lost = this.missed - this.missedAtLoss
    const gap = lost === 0 ? 'no tick missed' : `${lost} ticks missed`
    this.add(
      'flowing',
      'Data flowing again',
      `tick #${seq} · ${seconds(now - this.lostAt)} after the loss · ${gap}`,
      now,
    )
  }

  /** Starts counting over, e.g. after switching endpoints. */
  reset(note: string, now: number = Date.now()): void {
    this.lastSeq = null
    this.lastDataAt = null
    this.missed = 0
    this.missedAtLoss = 0
    this.lostAt = null
    this.open = false
    this.add('note', note, 'Counting missed ticks from here', now)
  }

  private add(kind: TimelineKind, title: string, detail: string, at: number): void {
    this.entries = [{ id: this.next++, at, kind, title, detail }, ...this.entries].slice(0, LIMIT)
    for (const listener of this.listeners) listener()
  }
}
