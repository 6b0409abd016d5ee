import { TetheredError } from './errors'
import { encodeAck, encodeData, encodeHello, parseFrame, RELIABLE } from './protocol'
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
      send(encodeHello(session, inSeq))
    },

    resume: () => {
      for (let i = head; i < unacked.length; i++) send(frame(unacked[i] as Kept))
    },

    receive(event) {
      const text: unknown = event.data
      const frame = typeof text === 'string' ? parseFrame(text) : null
      if (!frame) return event
      if (frame.kind === 'data') {
        const seq = frame.seq
        // A replay of what was already delivered: the server did not see our ack in time.
        if (seq <= inSeq) return null
        inSeq = seq
        // Acks are cumulative and batched: one frame per ACK_EVERY messages or ACK_DELAY ms.
        if (++sinceAck >= RELIABLE.ACK_EVERY) ack()
        else ackTimer ??= setTimeout(ack, RELIABLE.ACK_DELAY)
        return { type: 'message', data: frame.payload, timeStamp: event.timeStamp } as never
      }
      if (frame.kind === 'ack') {
        acknowledge(frame.seq)
        return null
      }
      if (frame.kind === 'welcome') {
        const welcome = frame.welcome
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
      // Nothing it read has changed any count: the connection closes the socket with 1002.
      throw new TetheredError(
        'PROTOCOL',
        frame.kind === 'hello' ? 'hello (h:): only a client sends one' : frame.message,
      )
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
