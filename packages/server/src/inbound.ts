import type { ErrorPayload } from '@tethered/protocol'
import { type RawData, WebSocket } from 'ws'
import { type BackpressureLimits, hasRoom, SEND_TEXT } from './backpressure'
import { parseInbound } from './envelope'
import { SocketServerError } from './errors'
import type { ResolvedOptions } from './options-types'
import type { Session } from './reliable/session'
import type { ServerStats } from './stats'
import type { IdentityLike } from './types'

/** What reading a client's text needs of its connection. */
export interface TextReceiver {
  readonly id: string
  readonly socket: WebSocket
  readonly session: Session | undefined
  messagesIn: number
  reply(type: string, id: unknown, data: unknown, error?: ErrorPayload): boolean
  /** Hands an event to this client's `on(type)` listeners. */
  dispatch(type: string, data: unknown): void
}

/** ...and of its server. */
export interface TextHost<C> {
  readonly options: BackpressureLimits &
    Pick<ResolvedOptions<IdentityLike>, 'keys' | 'textHeartbeat' | 'reliable'>
  readonly stats: ServerStats
  request(client: C, type: string, id: number, data: unknown): void
  report(error: SocketServerError): void
}

export const toText = (data: RawData): string =>
  (Array.isArray(data)
    ? Buffer.concat(data)
    : Buffer.isBuffer(data)
      ? data
      : Buffer.from(data)
  ).toString('utf8')

const BAD_REQUEST_ID: ErrorPayload = {
  message: 'request id must be a safe integer',
  code: 'BAD_REQUEST_ID',
}

/**
 * One text message after the hello: the text heartbeat, reliable frames, then the
 * envelope, dispatched to a request handler or to the client's listeners. Bad input is
 * counted and reported; the connection is kept.
 */
export function receiveText<C extends TextReceiver>(client: C, raw: string, host: TextHost<C>) {
  const { options, stats } = host
  let text = raw
  const heartbeat = options.textHeartbeat
  if (heartbeat && text === heartbeat.message) {
    stats.heartbeats++
    // Not through `deliver`: an answer is no message (no counters, no sequencing). But a
    // client that pings without reading gets none, or its answers would pile up here.
    const socket = client.socket
    if (socket.readyState === WebSocket.OPEN && hasRoom(socket, options)) {
      socket.send(heartbeat.returnMessage, SEND_TEXT)
    }
    return
  }
  // Before its welcome the client has no session to send in (a slow store may still be
  // writing it down): handled now, a message's reply would reach it ahead of the welcome.
  if (options.reliable && !client.session?.welcomed) {
    client.socket.close(1002, 'reliable delivery: nothing but the heartbeat before the welcome')
    return
  }
  if (text.charCodeAt(1) === 58 /* : */) {
    const session = client.session
    if (session !== undefined) {
      const payload = session.receive(text)
      if (payload === null) return
      text = payload
    } else if (text.charCodeAt(0) === 104 /* h */) {
      client.socket.close(1002, 'reliable delivery is not enabled on this server')
      return
    }
  }
  stats.messagesIn++
  client.messagesIn++
  const inbound = parseInbound(text, options.keys)
  if (inbound.kind === 'bad-id') {
    stats.malformed++
    host.report(
      new SocketServerError(
        'BAD_REQUEST_ID',
        `client ${client.id}: request "${inbound.type}" has an id that is not a safe integer; it got an error reply. The connection is kept.`,
        { clientId: client.id },
      ),
    )
    client.reply(inbound.type, inbound.id, undefined, BAD_REQUEST_ID)
    return
  }
  if (inbound.kind === 'malformed') {
    stats.malformed++
    host.report(
      new SocketServerError(
        inbound.code,
        `client ${client.id}: ${inbound.message}. The connection is kept.`,
        { clientId: client.id },
      ),
    )
    return
  }
  const { type, id, data } = inbound.envelope
  if (id !== undefined) host.request(client, type, id, data)
  else client.dispatch(type, data)
}
