import { describeClose, seconds } from './format'
import {
  BLACKHOLE_SECONDS,
  CLUSTER_API,
  type FaultAck,
  type FaultKind,
  HEARTBEAT,
  type KillAck,
} from './protocol'

/** What the page can break: the server's faults, and under `pnpm cluster` the instance itself. */
export type PageFault = FaultKind | 'kill'

export type TimelineKind = 'fault' | 'lost' | 'failed' | 'retry' | 'open' | 'flowing' | 'note'

export interface TimelineEntry {
  id: number
  at: number
  kind: TimelineKind
  title: string
  detail: string
}

export const FAULT_LABELS: Record<PageFault, string> = {
  cut: 'Cut',
  blackhole: 'Black-hole',
  restart: 'Restart',
  kill: 'Kill',
}

export interface FaultAction {
  kind: PageFault
  label: string
  text: string
  danger?: boolean
}

const ACTIONS: readonly FaultAction[] = [
  {
    kind: 'cut',
    label: 'Cut connection',
    text: 'The server drops this TCP connection. The browser sees close 1006 at once and the page retries with backoff.',
  },
  {
    kind: 'blackhole',
    label: `Black-hole ${BLACKHOLE_SECONDS} s`,
    text: `The server goes silent for ${BLACKHOLE_SECONDS} s but keeps the socket open: only the heartbeat can tell (about ${(HEARTBEAT.interval + HEARTBEAT.timeout) / 1000} s).`,
  },
  {
    kind: 'restart',
    label: 'Restart server',
    text: 'Every page is closed with 1012 (service restart) and refused for a moment: watch the retries back off.',
    danger: true,
  },
]

const KILL: FaultAction = {
  kind: 'kill',
  label: 'Kill this instance',
  text: 'SIGKILL for the instance serving this page (no closing handshake). The page reconnects through the round-robin front to another instance; with reliable delivery its session resumes there with no tick missed. The killed one starts again a few seconds later.',
  danger: true,
}

/** The fault page's buttons: the kill only when a cluster instance serves the page. */
export function faultActions(instance: string | null): readonly FaultAction[] {
  return instance === null ? ACTIONS : [...ACTIONS, KILL]
}

/** Asks the cluster's front to SIGKILL `instance`; rejects with the front's reason. */
export async function killInstance(instance: string): Promise<KillAck> {
  const res = await fetch(`${CLUSTER_API}/kill?instance=${encodeURIComponent(instance)}`, {
    method: 'POST',
    signal: AbortSignal.timeout(3_000),
  })
  const body = (await res.json().catch(() => ({}))) as Partial<KillAck> & { error?: string }
  if (!res.ok) throw new Error(body.error ?? `the front answered ${res.status}`)
  return body as KillAck
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
  /** A fault asked for and not yet acknowledged: it may never happen (a black-holed request). */
  private pending: { kind: PageFault; at: number } | null = null
  /** The fault the server acknowledged: what a loss that follows is put down to. */
  private fault: { kind: PageFault; at: number } | null = null
  private waitingForData = false
  /** The retry last put on the timeline, so each shows once whichever way it is seen. */
  private lastRetry: { attempt: number; at: number | null } | null = null
  lastDataAt: number | null = null
  lastSeq: number | null = null
  /** Ticks that never arrived: gaps in the sequence numbers. */
  missed = 0
  /** Ticks that arrived twice or out of order (a number not above the last one). */
  repeated = 0
  /** The cluster instance serving the page (from `welcome`), null for one process. */
  instance: string | null = null
  private missedAtLoss = 0

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  readonly getEntries = (): readonly TimelineEntry[] => this.entries

  requested(kind: PageFault, now: number = Date.now()): void {
    this.pending = { kind, at: now }
  }

  acknowledged(ack: FaultAck | KillAck, now: number = Date.now()): void {
    if (this.pending?.kind === ack.kind) this.fault = this.pending
    this.pending = null
    this.add('fault', `${FAULT_LABELS[ack.kind]} requested`, ack.message, now)
  }

  /** The request got no answer (e.g. sent into a black-hole): the fault never happened. */
  rejected(kind: PageFault, message: string, now: number = Date.now()): void {
    this.pending = null
    this.add('note', `${FAULT_LABELS[kind]} request failed`, `${message}: not applied`, now)
  }

  opened(now: number = Date.now()): void {
    this.open = true
    this.lastRetry = null
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
      // A browser is not told why a handshake failed (an HTTP 503, a refused port, no
      // route): every such attempt reads 1006.
      const why =
        info.code === 1006
          ? 'refused or unreachable (the browser is not told which)'
          : describeClose(info)
      this.add('failed', 'Attempt failed', why, now)
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

  /**
   * The snapshot's retry fields, on every change: a retry scheduled (`reconnecting`, for
   * `nextReconnectAt`) or started (`connecting` with an attempt number). A retry whose wait
   * was too short for any render to see still shows, as started.
   */
  retry(status: string, attempt: number, at: number | null, now: number = Date.now()): void {
    if (attempt === 0) return
    const last = this.lastRetry
    if (status === 'reconnecting' && at !== null) {
      if (last?.attempt === attempt && last.at === at) return
      this.lastRetry = { attempt, at }
      this.add(
        'retry',
        `Retry ${attempt} scheduled`,
        `in ${seconds(at - now)} — exponential backoff with full jitter`,
        now,
      )
    } else if (status === 'connecting' && last?.attempt !== attempt) {
      this.lastRetry = { attempt, at: null }
      this.add(
        'retry',
        `Retry ${attempt} started`,
        'its wait was over before the page drew it',
        now,
      )
    }
  }

  /** Empties the timeline; the counters and the connection's story go on. */
  readonly clear = (): void => {
    this.entries = []
    for (const listener of this.listeners) listener()
  }

  /**
   * A `welcome`: which instance serves the socket now. Under `pnpm cluster` a reconnect may
   * land on another one, and the timeline says so.
   */
  served(instance: string | null, now: number = Date.now()): void {
    if (instance === null || instance === this.instance) return
    const before = this.instance
    this.instance = instance
    if (before === null) {
      this.add('note', `Served by instance ${instance}`, 'through the round-robin front', now)
    } else {
      this.add('note', `Now served by instance ${instance}`, `was ${before}`, now)
    }
  }

  data(seq: number, now: number = Date.now()): void {
    this.lastDataAt = now
    if (this.lastSeq !== null && seq <= this.lastSeq) this.repeated++
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
    this.repeated = 0
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
