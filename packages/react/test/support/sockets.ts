import { WebSocket as WS } from 'ws'

/**
 * `ws`'s WebSocket, counting the sockets this process creates: jsdom's own WebSocket does
 * not work under vitest, and Node 20 has none.
 */
export function countingWebSocket() {
  const made: WS[] = []
  class CountingWebSocket extends WS {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols)
      made.push(this)
    }
  }
  return { WebSocket: CountingWebSocket, made }
}
