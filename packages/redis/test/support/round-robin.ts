// A loopback TCP balancer: each new connection goes to the next instance in turn; one that
// refuses (killed) is skipped. No stickiness: with WebSocket only, none is needed.
import net from 'node:net'

export interface RoundRobin {
  readonly port: number
  url(path?: string): string
  /** Which target port each connection went to, in order. */
  readonly routed: readonly number[]
  close(): Promise<void>
}

export async function startRoundRobin(targets: readonly number[]): Promise<RoundRobin> {
  let next = 0
  const routed: number[] = []
  const sockets = new Set<net.Socket>()
  const track = (socket: net.Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const route = (client: net.Socket, tries: number) => {
    if (tries >= targets.length) {
      client.destroy()
      return
    }
    const port = targets[next++ % targets.length] as number
    const upstream = net.connect(port, '127.0.0.1')
    track(upstream)
    upstream.once('connect', () => {
      routed.push(port)
      client.pipe(upstream)
      upstream.pipe(client)
      client.resume()
      upstream.on('close', () => client.destroy())
      client.on('close', () => upstream.destroy())
    })
    upstream.once('error', () => {
      if (!upstream.readyState.includes('open')) route(client, tries + 1)
    })
  }
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    track(client)
    route(client, 0)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    url: (path = '/') => `ws://127.0.0.1:${port}${path}`,
    routed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
