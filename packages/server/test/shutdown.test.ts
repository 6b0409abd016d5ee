import { describe, expect, it } from 'vitest'
import { createSocketServer, memoryAdapter } from '../src/index'
import {
  closed,
  connect,
  httpServer,
  nextEvent,
  onCleanup,
  start,
  tryUpgrade,
  within,
  withMethod,
} from './helpers'

describe('graceful shutdown', () => {
  it('closes every client with 1001 and resolves when all are gone', async () => {
    const { server, url, port } = await start()
    const sockets = await Promise.all([connect(url), connect(url), connect(url)])
    const closes = sockets.map(closed)
    const disconnects: number[] = []
    server.on('disconnect', (_client, info) => disconnects.push(info.code))
    const result = await within(server.close(), 'close()')
    expect(result).toEqual({ clients: 3, terminated: 0 })
    // Every client saw the close before close() resolved.
    expect(disconnects).toHaveLength(3)
    for (const info of await Promise.all(closes))
      expect(info).toEqual({ code: 1001, reason: 'server shutting down' })
    expect(server.clients.size).toBe(0)
    expect(server.stats.connections).toBe(0)
    // No longer listening.
    await expect(connect(`ws://127.0.0.1:${port}/`)).rejects.toThrow(/ECONNREFUSED/)
  })

  it('uses the code and reason given', async () => {
    const { server, url } = await start()
    const ws = await connect(url)
    const done = closed(ws)
    await server.close({ code: 1012, reason: 'restarting' })
    expect(await done).toEqual({ code: 1012, reason: 'restarting' })
  })

  it('terminates clients that do not finish the closing handshake within the timeout', async () => {
    const { server, url } = await start()
    const quick = await connect(url)
    const stuck = await connect(url)
    // A paused client reads nothing, so it never answers the close frame.
    stuck.pause()
    const stuckGone = closed(stuck)
    const quickGone = closed(quick)
    const started = Date.now()
    const result = await within(server.close({ timeout: 200 }), 'close()')
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    expect(result).toEqual({ clients: 2, terminated: 1 })
    expect(server.stats.terminations).toBe(1)
    expect((await quickGone).code).toBe(1001)
    // Its kernel may already hold the close frame; either way the socket is gone.
    stuck.resume()
    expect([1001, 1006]).toContain((await stuckGone).code)
  })

  it('answers upgrades arriving while it closes with 503, and lets go of the http.Server after', async () => {
    const { http, port } = await httpServer()
    const server = createSocketServer({ server: http })
    const stuck = await connect(`ws://127.0.0.1:${port}/`)
    stuck.pause()
    const closing = server.close({ timeout: 300 })
    const refused = nextEvent(server, 'refused')
    const res = await tryUpgrade(port, '/')
    expect(res.status).toBe(503)
    expect((await refused)[0].reason).toBe('shutting-down')
    await within(closing, 'close()')
    expect(http.listenerCount('upgrade')).toBe(0)
    // The http.Server is the application's: still serving.
    expect(http.listening).toBe(true)
  })

  it('returns the same promise when called again', async () => {
    const { server, url } = await start()
    await connect(url)
    const first = server.close()
    expect(server.close()).toBe(first)
    await first
    expect(await server.close()).toEqual({ clients: 1, terminated: 0 })
  })

  it('refuses handshakes still in authenticate when it closes', async () => {
    let entered: (() => void) | undefined
    const inAuth = new Promise<void>((resolve) => {
      entered = resolve
    })
    let finish: ((id: string) => void) | undefined
    const { server, port } = await start({
      authenticate: () =>
        new Promise<string>((resolve) => {
          finish = resolve
          entered?.()
        }),
    })
    const upgrade = tryUpgrade(port, '/')
    await within(inAuth, 'authenticate to start')
    const closing = server.close({ timeout: 200 })
    finish?.('late')
    expect((await upgrade).status).toBe(503)
    await closing
    expect(server.stats.connectionsTotal).toBe(0)
  })

  it('refuses a handshake whose duplicate check was still out in the store when it closed', async () => {
    let asked: (() => void) | undefined
    const checking = new Promise<void>((resolve) => {
      asked = resolve
    })
    let release: (() => void) | undefined
    const answer = new Promise<void>((resolve) => {
      release = resolve
    })
    // A remote store: `isConnected` answers later.
    const adapter = withMethod(memoryAdapter(), 'isConnected', (target) => async (key: string) => {
      asked?.()
      await answer
      return target.isConnected(key)
    })
    const { server, port } = await start({
      adapter,
      duplicate: 'reject',
      authenticate: () => 'alice',
    })
    const connections: string[] = []
    server.on('connection', (client) => connections.push(client.id))
    const upgrade = tryUpgrade(port, '/')
    await within(checking, 'the duplicate check')
    const closing = server.close({ timeout: 200 })
    release?.()
    expect((await upgrade).status).toBe(503)
    await within(closing, 'close()')
    expect(connections).toEqual([])
    expect(server.stats.connectionsTotal).toBe(0)
  })
})

describe('server lifecycle misuse', () => {
  it('can be closed before it ever listened', async () => {
    const server = createSocketServer({ port: 0, host: '127.0.0.1' })
    onCleanup(() => server.close())
    await expect(server.close()).resolves.toEqual({ clients: 0, terminated: 0 })
  })
})
