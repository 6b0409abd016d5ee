import type { WebSocketLike } from './types'

/** A `ws` socket: Node's `ws` is an EventEmitter as well as a WebSocket. */
export type NodeSocket = WebSocketLike & {
  on?(event: 'message', listener: (data: { toString(): string }, binary: boolean) => void): void
  off?(event: 'message', listener: (...args: never[]) => void): void
}
