import { createServer } from 'node:http'
import { describe, expect, it } from 'vitest'
import { createSocketServer, refuse, type SocketServerOptions } from '../src/index'
import { connect, nextEvent, start } from './helpers'

const attach = () => ({ server: createServer() })

function attempt(options: unknown) {
  return () => createSocketServer(options as SocketServerOptions)
}

describe('createSocketServer rejects bad options with the problem and the fix', () => {
  it.each<[string, unknown, RegExp]>([
    ['no options', undefined, /expected an options object, got undefined\. Pass `\{ server \}`/],
    [
      'nothing to serve on',
      {},
      /no server to attach to and no port to listen on\. Pass `\{ server: httpServer \}`/,
    ],
    [
      'server and port',
      { ...attach(), port: 1 },
      /give only one of `server`, `port` and `noServer`/,
    ],
    ['port and noServer', { port: 1, noServer: true }, /give only one of/],
    [
      'a server that is not one',
      { server: {} },
      /`server` must be an http\.Server or https\.Server, got an object/,
    ],
    ['a negative port', { port: -1 }, /`port` must be an integer from 0 to 65535, got -1\. Use 0/],
    ['a string port', { port: '8080' }, /`port` must be an integer from 0 to 65535, got "8080"/],
    ['host without port', { ...attach(), host: 'localhost' }, /`host` goes with `port`/],
    [
      'a typo',
      { ...attach(), maxPaylod: 10 },
      /unknown option `maxPaylod`\. Did you mean `maxPayload`\?/,
    ],
    [
      'an unknown option',
      { ...attach(), zzz: 1 },
      /unknown option `zzz`\. Known options: server, port/,
    ],
    [
      'a relative path',
      { ...attach(), path: 'ws' },
      /`path` must start with '\/'.*got "ws"\. Pass e\.g\. `path: '\/ws'`/,
    ],
    [
      'a path with a query',
      { ...attach(), path: '/ws?x=1' },
      /`path` must start with '\/' and hold no query/,
    ],
    [
      'a non-array origins',
      { ...attach(), origins: 'https://a.example' },
      /`origins` must be an array of origins or a function/,
    ],
    [
      'empty origins',
      { ...attach(), origins: [] },
      /`origins` is empty, so every browser would be refused/,
    ],
    [
      'an origin with a path',
      { ...attach(), origins: ['https://a.example/app'] },
      /`origins` entry "https:\/\/a\.example\/app" is not an origin\. Write each as scheme:\/\/host\[:port\]/,
    ],
    [
      'an origin without scheme',
      { ...attach(), origins: ['a.example'] },
      /`origins` entry "a\.example" is not an origin/,
    ],
    [
      'a non-function authenticate',
      { ...attach(), authenticate: 'token' },
      /`authenticate` must be a function, got "token"/,
    ],
    [
      'a non-function identityKey',
      { ...attach(), identityKey: 'id' },
      /`identityKey` must be a function/,
    ],
    [
      'a non-function handleProtocols',
      { ...attach(), handleProtocols: true },
      /`handleProtocols` must be a function/,
    ],
    [
      'an unknown duplicate policy',
      { ...attach(), duplicate: 'kick' },
      /`duplicate` must be 'replace' or 'reject', got "kick"/,
    ],
    [
      'a zero authenticateTimeout',
      { ...attach(), authenticateTimeout: 0 },
      /`authenticateTimeout` must be a positive integer \(milliseconds\), got 0\. Pass e\.g\. `authenticateTimeout: 10000`/,
    ],
    [
      'a fractional maxPayload',
      { ...attach(), maxPayload: 1.5 },
      /`maxPayload` must be a positive integer \(bytes\), got 1\.5/,
    ],
    [
      'an infinite maxPayload',
      { ...attach(), maxPayload: Number.POSITIVE_INFINITY },
      /`maxPayload` must be a positive integer \(bytes\), got Infinity/,
    ],
    [
      'a negative maxConnections',
      { ...attach(), maxConnections: -5 },
      /`maxConnections` must be a positive integer \(connections\) or Infinity, got -5/,
    ],
    [
      'a bad heartbeat',
      { ...attach(), heartbeat: 30_000 },
      /`heartbeat` must be a boolean or \{ interval \}, got 30000/,
    ],
    [
      'a bad heartbeat interval',
      { ...attach(), heartbeat: { interval: -1 } },
      /`heartbeat\.interval` must be a positive integer \(milliseconds\)/,
    ],
    [
      'a bad textHeartbeat',
      { ...attach(), textHeartbeat: 'ping' },
      /`textHeartbeat` must be a boolean or \{ message, returnMessage \}/,
    ],
    [
      'an empty heartbeat message',
      { ...attach(), textHeartbeat: { message: '' } },
      /`textHeartbeat\.message` and `returnMessage` must be strings/,
    ],
    [
      'rateLimit: true',
      { ...attach(), rateLimit: true },
      /`rateLimit` must be false or \{ messages, interval \}, got true/,
    ],
    [
      'a rateLimit without messages',
      { ...attach(), rateLimit: { interval: 1000 } },
      /`rateLimit\.messages` must be a positive integer \(messages\), got undefined/,
    ],
    [
      'a bad backpressure',
      { ...attach(), backpressure: 1024 },
      /`backpressure` must be an object, got 1024/,
    ],
    [
      'a bad backpressure policy',
      { ...attach(), backpressure: { policy: 'block' } },
      /`backpressure\.policy` must be 'drop' or 'close', got "block"/,
    ],
    [
      'a bad maxBufferedBytes',
      { ...attach(), backpressure: { maxBufferedBytes: 0 } },
      /`backpressure\.maxBufferedBytes` must be a positive integer \(bytes\)/,
    ],
    [
      'a non-boolean exposeErrors',
      { ...attach(), exposeErrors: 'yes' },
      /`exposeErrors` must be a boolean/,
    ],
    [
      'a bad closeTimeout',
      { ...attach(), closeTimeout: 'soon' },
      /`closeTimeout` must be a positive integer \(milliseconds\), got "soon"/,
    ],
    [
      'keys that are not an object',
      { ...attach(), keys: 'type' },
      /`keys` must be an object, got "type"/,
    ],
    [
      'an empty key',
      { ...attach(), keys: { type: '' } },
      /`keys\.type` must be a non-empty string, got ""/,
    ],
    [
      'a __proto__ key',
      { ...attach(), keys: { data: '__proto__' } },
      /`keys\.data` cannot be "__proto__"\. Pick a plain field name/,
    ],
    [
      'a constructor key',
      { ...attach(), keys: { type: 'constructor' } },
      /`keys\.type` cannot be "constructor"/,
    ],
    [
      'two fields with one name',
      { ...attach(), keys: { data: 'type' } },
      /`keys` must name four different fields/,
    ],
    [
      'headersTimeout on an attached server',
      { ...attach(), headersTimeout: 5_000 },
      /`headersTimeout` applies to the server created with `port`.*http\.createServer\(\{ headersTimeout: 10000, requestTimeout: 10000, connectionsCheckingInterval: 1000 \}\)/,
    ],
    [
      'a zero headersTimeout',
      { port: 0, headersTimeout: 0 },
      /`headersTimeout` must be a positive integer \(milliseconds\), got 0/,
    ],
    [
      'no session bound',
      { ...attach(), maxSessions: 0 },
      /`maxSessions` must be a positive integer \(sessions\), got 0\. Pass e\.g\. `maxSessions: 10000`/,
    ],
    [
      'an unbounded session count',
      { ...attach(), maxSessions: Number.POSITIVE_INFINITY },
      /`maxSessions` must be a positive integer \(sessions\), got Infinity/,
    ],
  ])('%s', (_label, options, message) => {
    expect(attempt(options)).toThrow(TypeError)
    expect(attempt(options)).toThrow(message)
  })

  it('starts every message with where it came from', () => {
    expect(attempt({})).toThrow(/^createSocketServer: /)
  })
})

describe('API misuse is reported where it happens', () => {
  it('refuse() takes only error statuses', () => {
    expect(() => refuse(200)).toThrow(
      /refuse\(200\): the status must be an HTTP error status from 400 to 599\. Use 401/,
    )
    expect(() => refuse(401.5)).toThrow(/from 400 to 599/)
    expect(refuse().status).toBe(401)
    expect(refuse(403).message).toBe('Forbidden')
  })

  it('checks arguments of server and client methods', async () => {
    const { server, url } = await start()
    const connected = nextEvent(server, 'connection')
    await connect(url)
    const [client] = await connected
    const loose = server as unknown as {
      on(event: string, fn: unknown): void
      handle(type: unknown, fn: unknown): void
      broadcast(type: unknown, data?: unknown, options?: unknown): number
      to(room: unknown): unknown
    }
    expect(() => loose.on('message', () => {})).toThrow(
      /server\.on\('message'\): unknown server event\. Server events are 'connection', 'disconnect', 'error' and 'refused'; listen to a client's messages with client\.on\(type\)/,
    )
    expect(() => loose.on('error', 'nope')).toThrow(
      /server\.on\('error'\): the listener must be a function/,
    )
    expect(() => loose.handle('', () => {})).toThrow(
      /server\.handle\(\): the type must be a non-empty string, got ""/,
    )
    expect(() => loose.handle('x', null)).toThrow(
      /server\.handle\('x'\): the handler must be a function/,
    )
    server.handle('once', () => 1)
    expect(() => server.handle('once', () => 2)).toThrow(
      /server\.handle\('once'\): a handler for this type is already registered\. .*remove it first/,
    )
    expect(() => loose.broadcast(42, 'x')).toThrow(
      /server\.broadcast\(\): the type must be a non-empty string, got 42/,
    )
    expect(() => loose.broadcast('x', 'y', { room: '' })).toThrow(
      /server\.broadcast\(\): a room name must be a non-empty string, got ""/,
    )
    expect(() => loose.to(undefined)).toThrow(
      /server\.to\(\): a room name must be a non-empty string, got undefined/,
    )
    expect(() => server.broadcast('x', { n: 1n })).toThrow(
      /cannot send "x": its data is not JSON-serializable \(.*BigInt.*\)\. Send plain objects/,
    )
    expect(() => server.close({ code: 1005 })).toThrow(
      /server\.close\(\{ code: 1005 \}\): the code is not one a server may send\. Leave it out for 1001/,
    )
    expect(() => server.close({ reason: 'x'.repeat(124) })).toThrow(/at most 123 bytes/)
    expect(() => server.close({ timeout: -1 })).toThrow(
      /the timeout must be a number of milliseconds, got -1/,
    )

    const looseClient = client as unknown as {
      emit(type: unknown, data?: unknown): boolean
      on(type: unknown, fn: unknown): void
      onClose(fn: unknown): void
      join(room: unknown): void
      leave(room: unknown): void
      close(code?: number, reason?: string): void
    }
    expect(() => looseClient.emit('', 1)).toThrow(
      /client\.emit\(\): the type must be a non-empty string, got ""/,
    )
    expect(() => looseClient.emit('x', { self: globalThis })).toThrow(
      /cannot send "x": its data is not JSON-serializable/,
    )
    expect(() => looseClient.on(null, () => {})).toThrow(
      /client\.on\(\): the type must be a non-empty string, got null/,
    )
    expect(() => looseClient.on('x', 'fn')).toThrow(
      /client\.on\('x'\): the listener must be a function/,
    )
    expect(() => looseClient.onClose(undefined)).toThrow(
      /client\.onClose\(\): the listener must be a function/,
    )
    expect(() => looseClient.join(7)).toThrow(
      /client\.join\(\): a room name must be a non-empty string, got 7/,
    )
    expect(() => looseClient.leave('')).toThrow(
      /client\.leave\(\): a room name must be a non-empty string/,
    )
    expect(() => looseClient.close(1006)).toThrow(
      /client\.close\(1006\): the code is not one a server may send\. Use 1000/,
    )
    expect(() => looseClient.close(5000)).toThrow(/client\.close\(5000\)/)
    expect(() => looseClient.close(1000, 'é'.repeat(62))).toThrow(
      /client\.close\(\): the reason must be a string of at most 123 bytes/,
    )
    // None of that closed anything.
    expect(client.isOpen).toBe(true)
  })
})
