import { noop } from './listen'
import type { WebSocketLike } from './types'

/** A `ws` socket: Node's `ws` is an EventEmitter as well as a WebSocket. */
export type NodeSocket = WebSocketLike & {
  on?(event: 'message', listener: (data: { toString(): string }, binary: boolean) => void): void
  off?(event: 'message', listener: (...args: never[]) => void): void
}

/**
 * Hands every message of `ws` to `received`; returns the remover. `ws` (Node) also hands out
 * a message's data directly, without the MessageEvent it builds for `onmessage`: under a
 * flood that wrapper is a measurable share of receiving. The event made here has what ws's
 * own has: `type`, `data` and `target`. Text is decoded with Buffer's own `toString()`:
 * `String(data)` measured 10% slower.
 */
export const listenMessages = (ws: NodeSocket, received: (e: MessageEvent) => unknown) => {
  if (!ws.on) {
    ws.onmessage = received as never
    return noop
  }
  const onData = (data: { toString(): string }, binary: boolean) =>
    received({ type: 'message', target: ws, data: binary ? data : data.toString() } as never)
  ws.on('message', onData)
  return () => ws.off?.('message', onData)
}
