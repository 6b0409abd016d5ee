// createSocket: the typed layer without a UI, against a real `ws` server on 127.0.0.1 port 0
// (it echoes every text message, so an emit comes back as an event and a request as its reply).
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { type LocalRecordingServer, startServer } from '../../../test/support/recording-server'
import { nextEvent, waitFor } from '../../../test/support/wait'
import { createSocket, createSocketObserver, ReadyState, type Socket } from '../src'

type Echo = {
  in: { message: { text: string }; joined: { name: string } }
  out: { message: { text: string }; joined: { name: string } }
  requests: { echo: { data: { n: number }; reply: { n: number } } }
}

let server: LocalRecordingServer
const sockets: Array<Socket<Echo, never>> = []
afterEach(async () => {
  for (const s of sockets.splice(0)) s.dispose()
  await server?.close()
})

async function start<T extends keyof Echo['in'] & string = keyof Echo['in'] & string>(
  options: Parameters<typeof createSocket<Echo, T>>[1] = {},
) {
  server = await startServer({ echo: true })
  const socket = createSocket<Echo, T>(server.url(), { WebSocket, ...options })
  sockets.push(socket as unknown as Socket<Echo, never>)
  return socket
}

describe('createSocket', () => {
  it('connects on creation, with no subscriber: request, emit and on work at once', async () => {
    const seen: string[] = []
    const socket = await start({ on: { message: ({ text }) => seen.push(`option ${text}`) } })
    socket.on('message', ({ text }) => seen.push(`on ${text}`))
    // Sent before the socket is open: queued, then answered.
    await expect(socket.request('echo', { n: 7 }, { timeout: 2_000 })).resolves.toEqual({ n: 7 })
    expect(socket.getSnapshot().readyState).toBe(ReadyState.OPEN)
    expect(server.sockets.length).toBe(1)

    expect(socket.emit('message', { text: 'hi' })).toBe(true)
    await waitFor(() => seen.length === 2, 2_000, 'the echoed message')
    expect(seen).toEqual(['option hi', 'on hi'])
    // A reply is no event: the request's echo never reached the handlers.
    expect(socket.getSnapshot().lastMessage).toEqual({ type: 'message', data: { text: 'hi' } })
  })

  it('moves lastMessage and notifies only for the chosen types; handlers see every type', async () => {
    const socket = await start<'joined'>({ types: ['joined'] })
    const names: string[] = []
    socket.on('message', ({ text }) => names.push(text))
    let notified = 0
    socket.subscribe(() => notified++)
    await nextEvent((h) => socket.connection!.on('open', h), 2_000, 'open')
    notified = 0
    socket.emit('message', { text: 'ignored' })
    await waitFor(() => names.length === 1, 2_000, 'the echoed message')
    await new Promise((resolve) => setImmediate(resolve))
    expect(notified).toBe(0)
    expect(socket.getSnapshot().lastMessage).toBeNull()
    socket.emit('joined', { name: 'ada' })
    await waitFor(() => socket.getSnapshot().lastMessage !== null, 2_000, 'joined')
    expect(socket.getSnapshot().lastMessage).toEqual({ type: 'joined', data: { name: 'ada' } })
    expect(notified).toBeGreaterThan(0)
  })

  it('close() stops, open() reconnects, dispose() lets go of the socket', async () => {
    const socket = await start()
    await nextEvent((h) => socket.connection!.on('open', h), 2_000, 'open')
    socket.close()
    await waitFor(() => server.open === 0, 2_000, 'the server to see the close')
    expect(socket.getSnapshot().readyState).toBe(ReadyState.CLOSED)
    socket.open()
    await nextEvent((h) => socket.connection!.on('open', h), 2_000, 'the reopen')
    expect(server.sockets.length).toBe(2)
    socket.dispose()
    await waitFor(() => server.open === 0, 2_000, 'the server to see the dispose')
    expect(socket.connection!.getWebSocket()).toBeNull()
  })

  it('an observer asked for a request before its first subscribe() says so, and names createSocket', async () => {
    server = await startServer({ echo: true })
    const observer = createSocketObserver<Echo>(server.url(), { WebSocket })
    await expect(observer.request('echo', { n: 1 })).rejects.toMatchObject({
      code: 'REQUEST_CLOSED',
      message: expect.stringMatching(/no subscriber yet.*in Node use createSocket/),
    })
  })
})
