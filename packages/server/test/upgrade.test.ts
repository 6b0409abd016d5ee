import { once } from 'node:events'
import { connect as netConnect, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createSocketServer, refuse, type SocketServerError } from '../src/index'
import { connect, httpServer, nextEvent, onCleanup, start, tryUpgrade, within } from './helpers'

describe('upgrade filtering', () => {
  it('accepts the exact path, query string allowed', async () => {
    const { server, port } = await start({ path: '/ws' })
    const connected = nextEvent(server, 'connection')
    await connect(`ws://127.0.0.1:${port}/ws?room=a`)
    const [client] = await connected
    expect(client.url).toBe('/ws?room=a')
    expect(server.clients.size).toBe(1)
  })

  it.each(['/', '/ws/', '/wss', '/ws/x', '/WS'])('answers 404 to path %s', async (path) => {
    const { server, port } = await start({ path: '/ws' })
    const refused = nextEvent(server, 'refused')
    const res = await tryUpgrade(port, path)
    expect(res.status).toBe(404)
    expect(res.body).toBe('Not Found')
    const [info] = await refused
    expect(info).toMatchObject({ reason: 'path', status: 404, url: path })
    expect(server.stats.refused.path).toBe(1)
  })

  it('answers 403 to an origin outside the list and accepts listed ones, normalized', async () => {
    const { server, port, url } = await start({
      origins: ['https://app.example.com', 'http://localhost:5173'],
    })
    expect((await tryUpgrade(port, '/', { Origin: 'https://evil.example.com' })).status).toBe(403)
    expect((await tryUpgrade(port, '/', { Origin: 'http://app.example.com' })).status).toBe(403)
    expect((await tryUpgrade(port, '/', { Origin: 'null' })).status).toBe(403)
    expect((await tryUpgrade(port, '/', { Origin: 'https://APP.example.com:443' })).status).toBe(
      101,
    )
    expect((await tryUpgrade(port, '/', { Origin: 'http://localhost:5173' })).status).toBe(101)
    await connect(url, { origin: 'https://app.example.com' })
    expect(server.stats.refused.origin).toBe(3)
  })

  it('lets clients without an Origin header through an origin list (authentication is their gate)', async () => {
    const { port } = await start({ origins: ['https://app.example.com'] })
    expect((await tryUpgrade(port, '/')).status).toBe(101)
  })

  it('takes an origins function, and answers 500 when it throws', async () => {
    const { server, port } = await start({
      origins: (origin) => {
        if (origin === 'https://boom.example') throw new Error('boom')
        return origin?.endsWith('.trusted.example') ?? false
      },
    })
    expect((await tryUpgrade(port, '/', { Origin: 'https://a.trusted.example' })).status).toBe(101)
    expect((await tryUpgrade(port, '/')).status).toBe(403)
    const error = nextEvent(server, 'error')
    expect((await tryUpgrade(port, '/', { Origin: 'https://boom.example' })).status).toBe(500)
    const [err] = await error
    expect(err.code).toBe('UPGRADE_ERROR')
  })

  it('answers 401 when authenticate returns nothing, and passes the identity on otherwise', async () => {
    const { server, port, url } = await start<
      { in: object; out: object },
      { id: string; name: string }
    >({
      authenticate: (_req, info) => (info.token === 'good' ? { id: 'u1', name: 'Ada' } : null),
    })
    const res = await tryUpgrade(port, '/?token=bad')
    expect(res.status).toBe(401)
    expect(res.body).toBe('Unauthorized')
    const connected = nextEvent(server, 'connection')
    await connect(`${url}?token=good`)
    const [client] = await connected
    expect(client.identity).toEqual({ id: 'u1', name: 'Ada' })
    expect(client.key).toBe('u1')
    expect(server.clients.get('u1')).toBe(client)
    expect(server.stats.refused.authenticate).toBe(1)
  })

  it.each([null, undefined, false, ''])(
    'answers 401 when authenticate returns %j',
    async (nothing) => {
      const { server, port } = await start({
        authenticate: async () => nothing as string | false | null | undefined,
      })
      const res = await tryUpgrade(port, '/')
      expect(res.status).toBe(401)
      expect(server.stats.connectionsTotal).toBe(0)
    },
  )

  it('answers with the status and message of refuse()', async () => {
    const { port } = await start({ authenticate: () => refuse(403, 'account suspended') })
    const res = await tryUpgrade(port, '/')
    expect(res.status).toBe(403)
    expect(res.body).toBe('account suspended')
    expect(res.headers.connection).toBe('close')
  })

  it('reads the token from an Authorization header, the query and a token. subprotocol, and does not echo the credential', async () => {
    const seen: Array<string | undefined> = []
    const { url, port } = await start({
      authenticate: (_req, info) => {
        seen.push(info.token)
        return info.token ? info.token : null
      },
    })
    expect((await tryUpgrade(port, '/', { Authorization: 'Bearer h1' })).status).toBe(101)
    expect((await tryUpgrade(port, '/?token=q1')).status).toBe(101)
    const ws = await connect(url, { protocols: ['chat', 'token.p1'] })
    expect(ws.protocol).toBe('chat')
    const alone = await connect(url, { protocols: ['token.p2'] })
    expect(alone.protocol).toBe('token.p2')
    expect(seen).toEqual(['h1', 'q1', 'p1', 'p2'])
  })

  it('answers 500 when authenticate throws or rejects, reports it, and keeps serving', async () => {
    let mode: 'throw' | 'reject' | 'ok' = 'throw'
    const { server, port } = await start({
      authenticate: async () => {
        if (mode === 'throw') throw new Error('db down')
        if (mode === 'reject') return Promise.reject(new Error('db down'))
        return 'user'
      },
    })
    const errors: SocketServerError[] = []
    server.on('error', (error) => errors.push(error))
    expect((await tryUpgrade(port, '/')).status).toBe(500)
    mode = 'reject'
    const res = await tryUpgrade(port, '/')
    expect(res.status).toBe(500)
    expect(res.body).toBe('Internal Server Error')
    mode = 'ok'
    expect((await tryUpgrade(port, '/')).status).toBe(101)
    expect(errors.map((e) => e.code)).toEqual(['UPGRADE_ERROR', 'UPGRADE_ERROR'])
    expect(errors[0]?.cause).toBeInstanceOf(Error)
  })

  it('answers 500 when authenticate returns an identity with no key', async () => {
    const { server, port } = await start<EventMapAny, { id: string }>({
      authenticate: () => ({ name: 'no id' }) as unknown as { id: string },
    })
    const error = nextEvent(server, 'error')
    expect((await tryUpgrade(port, '/')).status).toBe(500)
    const [err] = await error
    expect(String(err.cause)).toMatch(/no key for `server.clients`.*identityKey/)
  })

  it('answers 503 when authenticate hangs past authenticateTimeout', async () => {
    const { server, port } = await start({
      authenticate: () => new Promise<string>(() => {}),
      authenticateTimeout: 50,
    })
    const res = await tryUpgrade(port, '/')
    expect(res.status).toBe(503)
    expect(res.body).toBe('Authentication timed out')
    expect(server.stats.refused['upgrade-error']).toBe(1)
  })

  it('times out an authenticate returning a thenable that is not a Promise (a database query object)', async () => {
    // e.g. a Mongoose or Knex query: awaitable, but no `instanceof Promise`.
    // biome-ignore lint/suspicious/noThenProperty: a thenable that is no Promise is the case tested
    const query = { then: () => {} }
    const { server, port } = await start({
      authenticate: () => query as unknown as Promise<string>,
      authenticateTimeout: 50,
      maxConnections: 1,
    })
    const res = await tryUpgrade(port, '/')
    expect(res.status).toBe(503)
    expect(res.body).toBe('Authentication timed out')
    // Its slot is given back: the next upgrade is not refused for capacity.
    expect((await tryUpgrade(port, '/')).body).toBe('Authentication timed out')
    expect(server.stats.refused.capacity).toBe(0)
  })

  it('answers 503 with Retry-After beyond maxConnections, counting handshakes in progress', async () => {
    let release: (() => void) | undefined
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let entered: (() => void) | undefined
    const slowStarted = new Promise<void>((resolve) => {
      entered = resolve
    })
    const { server, port, url } = await start({
      maxConnections: 2,
      authenticate: async (req) => {
        if (req.url?.includes('slow')) {
          entered?.()
          await gate
        }
        return String(Math.random())
      },
    })
    await connect(url)
    const slow = tryUpgrade(port, '/?slow')
    await within(slowStarted, 'slow handshake to start')
    const res = await tryUpgrade(port, '/')
    expect(res.status).toBe(503)
    expect(res.headers['retry-after']).toBe('5')
    expect(server.stats.refused.capacity).toBe(1)
    release?.()
    expect((await slow).status).toBe(101)
  })

  it('answers 405 to a non-GET upgrade and 400 to broken handshake headers', async () => {
    let authenticated = 0
    const { server, port } = await start({
      authenticate: () => {
        authenticated++
        return 'user'
      },
    })
    expect((await tryUpgrade(port, '/', {}, 'POST')).status).toBe(405)
    expect((await tryUpgrade(port, '/', { 'Sec-WebSocket-Key': 'short' })).status).toBe(400)
    const version = await tryUpgrade(port, '/', { 'Sec-WebSocket-Version': '12' })
    expect(version.status).toBe(400)
    expect(version.headers['sec-websocket-version']).toBe('13, 8')
    expect((await tryUpgrade(port, '/', { 'Sec-WebSocket-Protocol': 'a, a' })).status).toBe(400)
    expect((await tryUpgrade(port, '/', { 'Sec-WebSocket-Protocol': 'a b' })).status).toBe(400)
    expect((await tryUpgrade(port, '/', { Upgrade: 'h2c' })).status).toBe(400)
    expect(server.stats.refused.handshake).toBe(6)
    expect(authenticated).toBe(0)
  })

  it('writes refusals as HTTP, never as WebSocket frames', async () => {
    const { port } = await start({ path: '/ws' })
    const socket = netConnect(port, '127.0.0.1')
    onCleanup(() => socket.destroy())
    await within(once(socket, 'connect'), 'tcp connect')
    socket.write(
      'GET /nope HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    )
    let raw = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      raw += chunk
    })
    await within(once(socket, 'close'), 'server to close the socket')
    expect(raw).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/)
    expect(raw).toContain('Content-Length: 9\r\n')
    expect(raw.endsWith('\r\n\r\nNot Found')).toBe(true)
  })

  it('answers plain HTTP requests on its own port with 426', async () => {
    const { port } = await start()
    const res = await fetch(`http://127.0.0.1:${port}/`)
    expect(res.status).toBe(426)
    expect(res.headers.get('upgrade')).toBe('websocket')
  })

  it('cuts a client that sends its upgrade request slowly after headersTimeout (408), freeing its slot', async () => {
    const { server, url, port } = await start({ headersTimeout: 300 })
    // Older than the slow client: were upgraded sockets subject to the timeout, the check
    // that cuts the slow one would cut this one too.
    const ws = await connect(url)
    const socket = netConnect(port, '127.0.0.1')
    onCleanup(() => socket.destroy())
    await within(once(socket, 'connect'), 'the TCP connection')
    let received = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      received += chunk
    })
    const started = performance.now()
    // A byte every 50 ms, the headers never complete: a slot held for as long as the
    // server lets it.
    const request = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nX-Slow: '
    let sent = 0
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write(request[sent++ % request.length] as string)
    }, 50)
    onCleanup(() => clearInterval(drip))
    await within(once(socket, 'close'), 'the server to cut the slow client', 2_000)
    const elapsed = performance.now() - started
    clearInterval(drip)
    expect(received).toMatch(/^HTTP\/1\.1 408 /)
    // headersTimeout, checked every connectionsCheckingInterval (no coarser than the timeout).
    expect(elapsed).toBeGreaterThanOrEqual(250)
    expect(elapsed).toBeLessThan(1_500)
    // The WebSocket is not subject to it.
    const pong = within(once(ws, 'message'), 'the pong')
    ws.send('ping')
    expect(String((await pong)[0])).toBe('pong')
    expect(server.stats.connections).toBe(1)
  })

  it('attaches to an existing http.Server, leaving its plain requests alone', async () => {
    const { http, port } = await httpServer()
    const server = createSocketServer({ server: http, path: '/live' })
    onCleanup(() => server.close({ timeout: 500 }))
    await server.ready
    expect(server.address()?.port).toBe(port)
    const ws = await connect(`ws://127.0.0.1:${port}/live`)
    expect(ws.readyState).toBe(WebSocket.OPEN)
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('plain http')
    expect((await tryUpgrade(port, '/other')).status).toBe(404)
  })

  it('routes upgrades you hand it with noServer', async () => {
    const { http, port } = await httpServer()
    const server = createSocketServer({ noServer: true, path: '/a' })
    onCleanup(() => server.close({ timeout: 500 }))
    http.on('upgrade', (req, socket, head) => {
      if (req.url?.startsWith('/a')) server.handleUpgrade(req, socket, head)
      else socket.destroy()
    })
    expect(server.address()).toBeNull()
    const connected = nextEvent(server, 'connection')
    await connect(`ws://127.0.0.1:${port}/a`)
    await connected
    expect(server.clients.size).toBe(1)
  })

  it('rejects a failed listen through ready and the error event', async () => {
    const { port } = await start()
    const clash = createSocketServer({ port, host: '127.0.0.1' })
    const error = nextEvent(clash, 'error')
    await expect(within(clash.ready, 'ready to reject')).rejects.toThrow(/EADDRINUSE/)
    const [err] = await error
    expect(err.code).toBe('LISTEN_ERROR')
    await clash.close({ timeout: 100 })
  })

  it('survives a client that resets during authenticate, and never registers it', async () => {
    const { http, port } = await httpServer()
    const serverSockets: Socket[] = []
    http.on('connection', (socket) => serverSockets.push(socket))
    let entered: (() => void) | undefined
    const inAuth = new Promise<void>((resolve) => {
      entered = resolve
    })
    let finish: ((value: string) => void) | undefined
    const server = createSocketServer({
      server: http,
      authenticate: (req) =>
        req.url?.includes('hang')
          ? new Promise<string>((resolve) => {
              finish = resolve
              entered?.()
            })
          : 'ok',
    })
    onCleanup(() => server.close({ timeout: 500 }))
    const socket = netConnect(port, '127.0.0.1')
    await within(once(socket, 'connect'), 'tcp connect')
    socket.write(
      'GET /?hang HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    )
    await within(inAuth, 'authenticate to start')
    const serverSide = serverSockets[0]!
    // Not events.once: it would reject on the ECONNRESET 'error' the server handles.
    const serverSawReset = new Promise((resolve) => serverSide.once('close', resolve))
    socket.resetAndDestroy()
    await within(serverSawReset, 'server to see the reset')
    finish?.('late')
    await connect(`ws://127.0.0.1:${port}/`)
    expect([...server.clients.keys()]).toEqual(['ok'])
    expect(server.stats.connectionsTotal).toBe(1)
    // A client that left is not a refusal.
    expect(server.stats.refused.handshake).toBe(0)
  })
})

type EventMapAny = { in: Record<string, unknown>; out: Record<string, unknown> }
