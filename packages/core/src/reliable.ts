import { TetheredError } from './errors'
import { RELIABLE, type Welcome } from './protocol'

interface Kept {
  seq: number
  text: string
}

/** What an inbound frame turned out to be. */
export type Inbound =
  | { kind: 'data'; payload: string }
  | { kind: 'welcome'; welcome: Welcome }
  | { kind: 'control' }
  | { kind: 'plain' }

/**
 * The client half of acknowledged delivery (README, "Reliable delivery"): sequence numbers
 * out, cumulative acks back, what the server has not acknowledged kept and sent again after
 * a reconnect, duplicates of what the server replays dropped.
 */
export interface ReliableSession {
  /** The first frame on a new socket. */
  hello(): string
  /** Reads an inbound text frame. */
  receive(frame: string): Inbound
  /** Keeps an outgoing message until acknowledged; returns the frame to send now. */
  keep(text: string): string
  /** After the welcome: the frames the server has not seen, in order. */
  unacknowledged(): string[]
  /** Stop the ack timer (socket gone). */
  pause(): void
}

const frame = (seq: number, text: string) => `${RELIABLE.DATA}${seq}:${text}`

/**
 * Acknowledged delivery and session resume: pass it as the `delivery` option,
 * `createConnection(url, { delivery: reliable })`.
 */
export function reliable(
  limit: number,
  send: (frame: string) => void,
  overflow: (error: TetheredError) => void,
): ReliableSession {
  let session: string | null = null
  let outSeq = 0
  let inSeq = 0
  let unacked: Kept[] = []
  let sinceAck = 0
  let ackTimer: ReturnType<typeof setTimeout> | undefined

  const ack = () => {
    clearTimeout(ackTimer)
    ackTimer = undefined
    sinceAck = 0
    send(`${RELIABLE.ACK}${inSeq}`)
  }

  // Acks are cumulative and batched: one frame per ACK_EVERY messages or ACK_DELAY ms.
  const delivered = () => {
    if (++sinceAck >= RELIABLE.ACK_EVERY) ack()
    else if (ackTimer === undefined) ackTimer = setTimeout(ack, RELIABLE.ACK_DELAY)
  }

  const acknowledge = (upTo: number) => {
    let n = 0
    while (n < unacked.length && (unacked[n] as Kept).seq <= upTo) n++
    if (n > 0) unacked = unacked.slice(n)
  }

  return {
    hello: () => `${RELIABLE.HELLO}${JSON.stringify({ v: RELIABLE.VERSION, session, ack: inSeq })}`,

    receive(text) {
      const kind = text.charCodeAt(0)
      if (text.charCodeAt(1) !== 58 /* : */) return { kind: 'plain' }
      if (kind === 109 /* m */) {
        const colon = text.indexOf(':', 2)
        const seq = Number(text.slice(2, colon))
        // A replay of what was already delivered: the server did not see our ack in time.
        if (seq <= inSeq) return { kind: 'control' }
        inSeq = seq
        delivered()
        return { kind: 'data', payload: text.slice(colon + 1) }
      }
      if (kind === 97 /* a */) {
        acknowledge(Number(text.slice(2)))
        return { kind: 'control' }
      }
      if (kind === 119 /* w */) {
        const welcome = JSON.parse(text.slice(2)) as Welcome
        if (!welcome.resumed) {
          // A new session on the server: nothing of ours is known there, start both counts over.
          inSeq = 0
          outSeq = 0
          unacked = unacked.map((k) => ({ seq: ++outSeq, text: k.text }))
        } else {
          acknowledge(welcome.ack)
        }
        session = welcome.session
        return { kind: 'welcome', welcome }
      }
      return { kind: 'plain' }
    },

    keep(text) {
      const kept = { seq: ++outSeq, text }
      unacked.push(kept)
      if (unacked.length > limit) {
        unacked.shift()
        overflow(
          new TetheredError(
            'QUEUE_OVERFLOW',
            `Over queueSize (${limit}) messages unacknowledged: oldest dropped`,
          ),
        )
      }
      return frame(kept.seq, text)
    },

    unacknowledged: () => unacked.map((k) => frame(k.seq, k.text)),

    pause() {
      clearTimeout(ackTimer)
      ackTimer = undefined
    },
  }
}
