import net from 'node:net'

/**
 * A loopback TCP proxy for fault injection. It listens on 127.0.0.1 (port 0) and forwards
 * every connection to `127.0.0.1:targetPort`, byte for byte, until told to misbehave:
 *
 * - `cut()` destroys every current connection (both sides see the stream end at once).
 * - `blackhole(true)` is a half-open network: the connections already open stay open but
 *   every byte is dropped, in both directions, with no FIN and no RST, so neither peer
 *   learns anything. A connection that arrives while the hole is open is accepted but gets
 *   no further (its bytes wait, as an unanswered SYN would); when the network returns,
 *   `blackhole(false)` lets those waiting connections through (the retransmitted SYN gets
 *   an answer) and resets the connections that lost bytes (their peer state is gone: the
 *   next segment gets an RST). The client must therefore detect the dead socket itself.
 * - `refuse(true)`: new connections are reset at once (a server that is down).
 */
export interface TcpProxy {
  readonly port: number
  /** `ws://127.0.0.1:<port><path>` */
  url(path?: string): string
  cut(): void
  blackhole(on: boolean): void
  refuse(on: boolean): void
  /** Connections forwarded (or held by a black hole) since start. */
  readonly accepted: number
  /** Connections reset by `refuse`. */
  readonly refused: number
  /** Connections currently open through the proxy (forwarded, dead or held). */
  readonly active: number
  /** Time (performance.now()) of every incoming connection, refused ones included. */
  readonly arrivals: readonly number[]
  close(): Promise<void>
}

type Mode = 'forward' | 'dead' | 'held'

interface Pair {
  client: net.Socket
  upstream: net.Socket | null
  mode: Mode
  /** Bytes from the client waiting for the network to return (mode `held`). */
  pending: Buffer[]
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>()
  let holeOpen = false
  let refusing = false
  let accepted = 0
  let refused = 0
  const arrivals: number[] = []

  const end = (pair: Pair, reset: boolean) => {
    if (!pairs.delete(pair)) return
    for (const socket of [pair.client, pair.upstream]) {
      if (!socket || socket.destroyed) continue
      if (reset) socket.resetAndDestroy()
      else socket.destroy()
    }
  }

  const connectUpstream = (pair: Pair) => {
    const upstream = net.connect(targetPort, '127.0.0.1')
    pair.upstream = upstream
    pair.mode = 'forward'
    upstream.setNoDelay(true)
    for (const chunk of pair.pending) upstream.write(chunk)
    pair.pending = []
    upstream.on('data', (chunk: Buffer) => {
      if (pair.mode === 'forward') pair.client.write(chunk)
    })
    upstream.on('error', () => end(pair, true))
    upstream.on('close', () => end(pair, false))
  }

  const server = net.createServer({ noDelay: true }, (client) => {
    arrivals.push(performance.now())
    client.on('error', () => {})
    if (refusing) {
      refused++
      client.resetAndDestroy()
      return
    }
    accepted++
    const pair: Pair = { client, upstream: null, mode: 'held', pending: [] }
    pairs.add(pair)
    client.on('data', (chunk: Buffer) => {
      if (pair.mode === 'forward') pair.upstream?.write(chunk)
      else if (pair.mode === 'held') pair.pending.push(chunk)
    })
    client.on('error', () => end(pair, true))
    client.on('close', () => end(pair, false))
    if (!holeOpen) connectUpstream(pair)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as net.AddressInfo

  return {
    port,
    url: (path = '/') => `ws://127.0.0.1:${port}${path}`,
    cut() {
      for (const pair of [...pairs]) end(pair, false)
    },
    blackhole(on) {
      holeOpen = on
      if (on) {
        for (const pair of pairs) if (pair.mode === 'forward') pair.mode = 'dead'
        return
      }
      for (const pair of [...pairs]) {
        if (pair.mode === 'dead') end(pair, true)
        else if (pair.mode === 'held') connectUpstream(pair)
      }
    },
    refuse(on) {
      refusing = on
    },
    get accepted() {
      return accepted
    },
    get refused() {
      return refused
    },
    get active() {
      return pairs.size
    },
    arrivals,
    close() {
      for (const pair of [...pairs]) end(pair, false)
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
