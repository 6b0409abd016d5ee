import { encodeAck, encodeData, encodeWelcome, parseFrame, RELIABLE } from '@tethered/protocol'
import { WebSocket } from 'ws'
import { isPromiseLike, type SessionLog } from '../adapter'
import { admit, type BackpressureLimits, hasRoom, SEND_TEXT } from '../backpressure'
import type { ClientCloseInfo } from '../client'
import type { ReliableConfig } from '../options-types'
import type { ServerStats } from '../stats'

/** What a session needs of its connection: the socket its client is on now. */
export interface SessionLink {
  readonly socket: WebSocket
  /** A message could not be kept in the log: it is not sent, and the session cannot go on. */
  lost(error: unknown): void
}

/**
 * `m:<seq>:<payload>`. Text stays text: `ws` writes a string straight into the socket, so a
 * broadcast serialized once costs each client a short prefix, not a Buffer of its own
 * (making one per message is most of what sequencing costs). A Buffer payload is copied
 * behind its prefix.
 */
export function dataFrame(seq: number, payload: string | Buffer): string | Buffer {
  if (typeof payload === 'string') return encodeData(seq, payload)
  const prefix = Buffer.from(encodeData(seq, ''), 'latin1')
  return Buffer.concat([prefix, payload], prefix.length + payload.length)
}

/**
 * A reliable session: it outlives its client's sockets and owns everything that makes
 * delivery exactly-once within it: sequence numbers both ways, the ack it owes the client,
 * the replay buffer of what the client has not acknowledged, and its expiry while the
 * client is away. Its connection hands it every reliable frame and every message to send.
 */
export class Session {
  /** The last client message handed to handlers: anything at or below it is a duplicate. */
  inSeq = 0
  /** The last message sequence given out. */
  outSeq = 0
  /**
   * The last one in the log. Behind `outSeq` while a remote store has not confirmed the
   * newest: nothing past it is written to a socket.
   */
  stored = 0
  /**
   * The last one written to the current socket. Behind `outSeq` while the client is away or
   * reads slower than the server sends: the rest waits in the buffer and goes out as the
   * client's acks show it catching up.
   */
  sent = 0
  /** Client messages handed to handlers since the last ack sent. */
  private unacked = 0
  private ackTimer: ReturnType<typeof setTimeout> | undefined
  private expiryTimer: ReturnType<typeof setTimeout> | undefined
  /** Its welcome went out: only from then on does the client send in it. */
  welcomed = false
  /** The server ended it (`client.close()`, shutdown, replaced): its socket closing ends it for good. */
  ending = false
  /** No socket attached: its client is away, and it expires `maxAge` after the socket went. */
  detached = false
  /** How the last socket closed: what `disconnect` reports when the session expires or is evicted. */
  lastClose: ClientCloseInfo = { code: 1006, reason: '' }
  constructor(
    /** The secret the client presents to resume; never shown to application code. */
    readonly id: string,
    private readonly config: ReliableConfig,
    private readonly limits: BackpressureLimits,
    private readonly stats: ServerStats,
    private readonly link: SessionLink,
    /** What the client has not acknowledged: `adapter.createLog()`, kept where the adapter keeps it. */
    readonly buffer: SessionLog,
  ) {
    stats.sessions.active++
    stats.sessions.started++
  }

  /**
   * Gives the message the next sequence number and keeps it until acknowledged. Over
   * `maxBufferedBytes` nothing is skipped: it waits in the buffer (bounded by `bufferSize`)
   * and the client's acks clock it out. Only the `close` policy still closes; the client
   * then resumes.
   */
  send(payload: string | Buffer, bytes: number, now: number): void {
    const seq = ++this.outSeq
    const kept = this.buffer.push(payload, bytes, now)
    if (isPromiseLike(kept)) {
      // Confirmations come back in the order the pushes went out: `stored` only grows.
      kept.then(
        () => {
          if (this.ending) return
          this.stored = seq
          this.flush()
        },
        (error: unknown) => {
          if (!this.ending) this.link.lost(error)
        },
      )
      return
    }
    this.stored = seq
    const socket = this.link.socket
    if (socket.readyState !== WebSocket.OPEN) return
    if (this.sent !== seq - 1) this.flush()
    else if (admit(socket, this.limits, this.stats)) {
      socket.send(dataFrame(seq, payload), SEND_TEXT)
      this.sent = seq
    }
  }

  /**
   * Writes what the client has not been sent yet, oldest first, while its socket takes it.
   * Messages it was never sent that `bufferSize` or `maxAge` pushed out cannot reach it any
   * more: the socket is closed, and its reconnect is told it was not resumed.
   */
  flush(): void {
    const socket = this.link.socket
    if (socket.readyState !== WebSocket.OPEN) return
    if (this.sent < this.buffer.first - 1) {
      socket.close(1013, 'slow consumer: messages it had not received were dropped')
      return
    }
    while (this.sent < this.stored && hasRoom(socket, this.limits)) {
      const seq = ++this.sent
      socket.send(dataFrame(seq, this.buffer.get(seq)), SEND_TEXT)
    }
  }

  /**
   * A frame from the client that looks reliable (`x:`): the payload of a new data frame,
   * `null` when it is consumed here (an ack, a duplicate), or the text itself when it is
   * no valid frame, to be reported as a malformed message (the connection is kept).
   */
  receive(text: string): string | null {
    const kind = text.charCodeAt(0)
    if (kind === 109 /* m */) {
      const frame = parseFrame(text)
      if (frame?.kind !== 'data') return text
      // The server is closing this session; the client keeps the message and sends it
      // again wherever it reconnects, so handling it here could make a duplicate.
      if (this.ending) return null
      if (frame.seq <= this.inSeq) {
        this.stats.sessions.duplicates++
        return null
      }
      this.inSeq = frame.seq
      this.buffer.received?.(frame.seq)
      if (++this.unacked >= RELIABLE.ACK_EVERY) this.sendAck()
      else this.ackTimer ??= setTimeout(() => this.sendAck(), RELIABLE.ACK_DELAY)
      return frame.payload
    }
    if (kind === 97 /* a */) {
      const frame = parseFrame(text)
      if (frame?.kind === 'ack') {
        this.buffer.acknowledge(Math.min(frame.seq, this.sent))
        if (this.sent < this.stored) this.flush()
        return null
      }
    }
    return text
  }

  /** A cumulative ack of every client message handed to handlers. */
  sendAck(): void {
    clearTimeout(this.ackTimer)
    this.ackTimer = undefined
    this.unacked = 0
    const socket = this.link.socket
    if (this.inSeq > 0 && socket.readyState === WebSocket.OPEN) {
      socket.send(encodeAck(this.inSeq), SEND_TEXT)
    }
  }

  /** `w:{…}`, the answer to the hello. */
  welcome(resumed: boolean, ack: number): void {
    this.welcomed = true
    this.link.socket.send(encodeWelcome(this.id, resumed, ack), SEND_TEXT)
  }

  /** Whether a client that received everything up to `ack` can get the rest from the buffer. */
  canResume(ack: number, now: number): boolean {
    // Ending (closed by the server, its close handshake still under way): over already.
    if (this.ending) return false
    this.buffer.expire(now)
    return ack <= this.outSeq && ack >= this.buffer.first - 1
  }

  /** Taken over from another instance: it carries on where the store says it was. */
  restore(inSeq: number, outSeq: number): void {
    this.inSeq = inSeq
    this.outSeq = outSeq
    this.stored = outSeq
  }

  /** After the welcome of a resume, sends in order what the client missed (it has up to `ack`). */
  replay(ack: number): void {
    this.buffer.acknowledge(ack)
    this.sent = ack
    this.stats.sessions.replayed += this.outSeq - ack
    this.flush()
  }

  /** The socket went: the session waits `maxAge` for its client, then `expire` ends it. */
  detach(info: ClientCloseInfo, expire: () => void): void {
    this.detached = true
    this.lastClose = info
    clearTimeout(this.ackTimer)
    this.ackTimer = undefined
    this.unacked = 0
    this.stats.sessions.detached++
    this.expiryTimer = setTimeout(() => {
      this.stats.sessions.expired++
      expire()
    }, this.config.maxAge)
    // A session waiting for a client that never returns must not keep the process alive.
    this.expiryTimer.unref?.()
  }

  /** Its client is back on a new socket (the connection has moved it here already). */
  reattach(): void {
    clearTimeout(this.expiryTimer)
    this.expiryTimer = undefined
    if (this.detached) this.stats.sessions.detached--
    this.detached = false
  }

  /** Over for good: timers stopped, the buffer released. */
  close(): void {
    this.ending = true
    clearTimeout(this.ackTimer)
    clearTimeout(this.expiryTimer)
    this.ackTimer = this.expiryTimer = undefined
    this.buffer.clear()
    this.stats.sessions.active--
    if (this.detached) this.stats.sessions.detached--
  }
}
