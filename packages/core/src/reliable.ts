import { encodeAck, encodeData, encodeHello, parseFrame, RELIABLE } from '@tethered/protocol'
import { TetheredError } from './errors'
import type { DeliveryFactory, DeliverySession } from './types'

interface Kept {
  seq: number
  text: string
}

/** The client half of acknowledged delivery, as the connection sees it. */
export type ReliableSession = DeliverySession

const frame = (k: Kept) => encodeData(k.seq, k.text)

/**
 * Acknowledged delivery and session resume (README, "Reliable delivery"): pass it as the
 * `delivery` option, `createConnection(url, { delivery: reliable })`. Sequence numbers out,
 * cumulative acks back, what the server has not acknowledged kept and sent again after a
 * reconnect, duplicates of what the server replays dropped.
 */
export const reliable: DeliveryFactory = (limit, send, report, ready) => {
  let session: string | null = null
  let welcomed = false
  let outSeq = 0
  let inSeq = 0
  // Kept messages are `unacked[head..]`, oldest first: an ack moves `head` instead of
  // copying the array, which under a burst holds thousands.
  let unacked: Kept[] = []
  let head = 0
  let sinceAck = 0
  let ackTimer: ReturnType<typeof setTimeout> | undefined

  // This socket's welcome came: only then may data and acks, and never a second welcome.
  let here = false

  const broken = (message: string): never => {
    throw new TetheredError('PROTOCOL', message)
  }

  /** An acknowledgement of more than was ever sent would drop what the server never got. */
  const sent = (kind: string, upTo: number) => {
    if (upTo > outSeq) broken(`${kind} (${kind[0]}:): ack ${upTo}, but ${outSeq} sent`)
  }

  const pause = () => {
    clearTimeout(ackTimer)
    ackTimer = undefined
  }

  const ack = () => {
    pause()
    sinceAck = 0
    send(encodeAck(inSeq))
  }

  // Compacted once most of the array is gone: O(1) per message, amortised, and at most
  // twice `limit` long.
  const trim = () => {
    if (head * 2 > unacked.length) {
      unacked = unacked.slice(head)
      head = 0
    }
  }

  const acknowledge = (upTo: number) => {
    while (head < unacked.length && (unacked[head] as Kept).seq <= upTo) head++
    trim()
  }

  return {
    open: () => {
      here = false
      send(encodeHello(session, inSeq))
    },

    resume: () => {
      for (let i = head; i < unacked.length; i++) send(frame(unacked[i] as Kept))
    },

    receive(event) {
      const text: unknown = event.data
      const frame = typeof text === 'string' ? parseFrame(text) : null
      if (!frame) return event
      // Every check comes before any count changes, so a refused frame leaves the session as
      // it was: the connection closes the socket with 1002 and a reconnect resumes cleanly.
      const kind = frame.kind
      if (kind === 'data' || kind === 'ack') {
        if (!here) broken(`${kind} (${kind[0]}:): before the welcome`)
      }
      if (kind === 'data') {
        const seq = frame.seq
        // A replay of what was already delivered: the server did not see our ack in time.
        if (seq <= inSeq) return null
        // The server sends in order and replays from our ack: a gap is messages lost.
        if (seq > inSeq + 1) broken(`data (m:): ${seq} after ${inSeq}, messages missing`)
        inSeq = seq
        // Acks are cumulative and batched: one frame per ACK_EVERY messages or ACK_DELAY ms.
        if (++sinceAck >= RELIABLE.ACK_EVERY) ack()
        else ackTimer ??= setTimeout(ack, RELIABLE.ACK_DELAY)
        return { type: 'message', data: frame.payload, timeStamp: event.timeStamp } as never
      }
      if (kind === 'ack') {
        sent(kind, frame.seq)
        acknowledge(frame.seq)
        return null
      }
      if (kind === 'welcome') {
        const welcome = frame.welcome
        if (here) broken('welcome (w:): a second one on this socket')
        sent(kind, welcome.ack)
        here = true
        // What the server got is not sent again, even when the session is not resumed: `ack`
        // then says what it got of the old one (0 if it knows nothing of it).
        acknowledge(welcome.ack)
        if (!welcome.resumed) {
          // A new session on the server: start both counts over.
          inSeq = outSeq = 0
          unacked = unacked.slice(head).map((k) => ({ seq: ++outSeq, text: k.text }))
          head = 0
        }
        session = welcome.session
        const resumed = welcomed ? welcome.resumed : null
        welcomed = true
        ready({ id: session, resumed })
        return null
      }
      return broken(kind === 'hello' ? 'hello (h:): only a client sends one' : frame.message)
    },

    send(data, open, keep) {
      if (typeof data !== 'string') {
        report(
          new TetheredError(
            'SERIALIZE',
            'Reliable delivery carries text only: send a string, or drop the `delivery` option for binary',
          ),
        )
        return false
      }
      if (!open && !keep) return false
      const kept = { seq: ++outSeq, text: data }
      if (unacked.push(kept) - head > limit) {
        head++
        trim()
        report(
          new TetheredError(
            'QUEUE_OVERFLOW',
            `Over queueSize (${limit}) messages unacknowledged: oldest dropped`,
          ),
        )
      }
      return open && send(frame(kept))
    },

    pause,
  }
}
