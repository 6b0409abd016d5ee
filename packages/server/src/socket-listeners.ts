import type { RawData, WebSocket } from 'ws'

/** What the listeners hand a socket's events to: the client connection that owns it. */
export interface SocketOwner {
  /** The socket whose events count; a replaced one's are ignored. */
  readonly socket: WebSocket
  alive: boolean
  receive(data: RawData, isBinary: boolean): void
  pinged(data: Buffer): void
  socketError(error: Error & { code?: string }): void
  socketClosed(close: { code: number; reason: string }): void
}

const OWNER = Symbol('tethered.client')
type OwnedSocket = WebSocket & { [OWNER]: SocketOwner }
const ownerOf = (socket: WebSocket): SocketOwner => (socket as OwnedSocket)[OWNER]

// `ws` calls these with the socket as `this`. With reliable delivery a client outlives its
// sockets: events of a socket it has replaced are ignored.
function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const owner = ownerOf(this)
  if (owner.socket === this) owner.receive(data, isBinary)
}

// Answered here, not by `ws`: a ping counts in the client's rate like a message, and gets
// no pong while the client is not reading, as the text heartbeat.
function onPing(this: WebSocket, data: Buffer): void {
  const owner = ownerOf(this)
  if (owner.socket === this) owner.pinged(data)
}

function onPong(this: WebSocket): void {
  const owner = ownerOf(this)
  if (owner.socket === this) owner.alive = true
}

function onError(this: WebSocket, error: Error & { code?: string }): void {
  const owner = ownerOf(this)
  if (owner.socket === this) owner.socketError(error)
}

function onClose(this: WebSocket, code: number, reason: Buffer): void {
  const owner = ownerOf(this)
  if (owner.socket === this) owner.socketClosed({ code, reason: reason.toString() })
}

/** Marks `owner` as the connection the socket's events go to (a resumed session takes over a socket). */
export function own(socket: WebSocket, owner: SocketOwner): void {
  ;(socket as OwnedSocket)[OWNER] = owner
}

/** The listeners shared by every connection, which find theirs through the socket. */
export function listen(socket: WebSocket): void {
  socket.on('message', onMessage)
  socket.on('ping', onPing)
  socket.on('pong', onPong)
  socket.on('error', onError)
  socket.on('close', onClose)
}
