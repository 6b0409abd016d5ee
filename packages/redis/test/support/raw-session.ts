// A reliable session by hand, on a raw `ws` socket: the hello, then the welcome. For the
// memory benches, which must hold thousands of sessions without the client engine's cost.
import { encodeHello } from '@tethered/protocol'
import { WebSocket } from 'ws'

/** Resolves with the socket once the server's welcome came; rejects after `timeout` ms. */
export function rawSession(url: string, timeout = 10_000): Promise<WebSocket> {
  const ws = new WebSocket(url)
  return new Promise<WebSocket>((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate()
      reject(new Error(`Timed out after ${timeout} ms waiting for a welcome from ${url}`))
    }, timeout)
    ws.once('error', reject)
    ws.once('open', () => {
      ws.once('message', () => {
        clearTimeout(timer)
        resolve(ws)
      })
      ws.send(encodeHello(null, 0))
    })
  })
}
