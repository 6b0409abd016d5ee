// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { browserSignals, ReadyState, setPageSignals } from '../src'
import { mockServer, tick, useFakeClock } from './support'

const connect = useFakeClock()

let online = true
vi.spyOn(navigator, 'onLine', 'get').mockImplementation(() => online)
let visibility: DocumentVisibilityState = 'visible'
vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility)
// A browser keeps the two in step; the engine reads `hidden`.
vi.spyOn(document, 'hidden', 'get').mockImplementation(() => visibility === 'hidden')

afterEach(() => {
  online = true
  visibility = 'visible'
})

const goOffline = () => {
  online = false
  window.dispatchEvent(new Event('offline'))
}
const goOnline = () => {
  online = true
  window.dispatchEvent(new Event('online'))
}

describe('browser awareness', () => {
  it('pauses retries while offline without spending attempts, and reconnects at once on online', async () => {
    const server = mockServer()
    const c = connect(server.url, { reconnectInterval: 5_000, reconnectAttempts: 2 })
    await tick()
    server.refuse()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    expect(c.getSnapshot().nextReconnectAt).not.toBeNull()
    goOffline()
    expect(c.getSnapshot().nextReconnectAt).toBeNull()
    await tick(60_000)
    expect(server.clients).toHaveLength(1)
    expect(c.getSnapshot().reconnectAttempt).toBe(1)
    server.refuse(false)
    goOnline()
    await tick()
    expect(server.clients).toHaveLength(2)
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
  })

  it('does not schedule a retry while navigator.onLine is false', async () => {
    const server = mockServer()
    const c = connect(server.url, { reconnectInterval: 10 })
    await tick()
    online = false
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick(10_000)
    expect(c.getSnapshot()).toMatchObject({
      readyState: ReadyState.CLOSED,
      nextReconnectAt: null,
      reconnectAttempt: 0,
    })
    goOnline()
    await tick()
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
  })

  it('reconnects at once when the page becomes visible', async () => {
    const server = mockServer()
    const c = connect(server.url, { reconnectInterval: 60_000 })
    await tick()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    visibility = 'hidden'
    document.dispatchEvent(new Event('visibilitychange'))
    expect(server.clients).toHaveLength(1)
    visibility = 'visible'
    document.dispatchEvent(new Event('visibilitychange'))
    await tick()
    expect(server.clients).toHaveLength(2)
    expect(c.getSnapshot().readyState).toBe(ReadyState.OPEN)
  })

  it('probes an open socket when the page becomes visible or the network returns', async () => {
    // mock-socket under jsdom does not hand client frames to its server: watch send() itself.
    const server = mockServer()
    const c = connect(server.url, { heartbeat: { interval: 60_000, timeout: 1_000 } })
    await tick()
    const send = vi.spyOn(c.getWebSocket() as WebSocket, 'send')
    document.dispatchEvent(new Event('visibilitychange'))
    expect(send.mock.calls).toEqual([['ping']])
    await tick(1_000) // no answer within the timeout: dead
    expect(c.getSnapshot().error?.code).toBe('HEARTBEAT_TIMEOUT')
    goOnline() // waiting to retry: reconnect now
    await tick()
    expect(server.clients).toHaveLength(2)
    const next = vi.spyOn(c.getWebSocket() as WebSocket, 'send')
    goOnline() // open: probe
    expect(next.mock.calls).toEqual([['ping']])
  })

  it('removes its window listeners on dispose', async () => {
    const remove = vi.spyOn(window, 'removeEventListener')
    const c = connect(mockServer().url)
    c.dispose()
    expect(remove.mock.calls.map(([type]) => type).sort()).toEqual(['offline', 'online'])
    remove.mockRestore()
  })
})

describe('status while offline', () => {
  it('is offline, not stopped, while waiting for the network; online reconnects', async () => {
    const server = mockServer()
    const c = connect(server.url, { reconnectInterval: 5_000 })
    await tick()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    expect(c.getSnapshot().status).toBe('reconnecting')
    goOffline()
    expect(c.getSnapshot()).toMatchObject({
      readyState: ReadyState.CLOSED,
      status: 'offline',
      stopped: null,
      nextReconnectAt: null,
    })
    goOnline()
    expect(c.getSnapshot().status).toBe('connecting')
    await tick()
    expect(c.getSnapshot()).toMatchObject({ status: 'open', stopped: null })
  })

  it('is offline when the socket closes with no network, and the close handlers see it', async () => {
    const server = mockServer()
    const c = connect(server.url)
    const atClose: string[] = []
    c.on('close', () => atClose.push(c.getSnapshot().status))
    await tick()
    online = false
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    expect(c.getSnapshot()).toMatchObject({ status: 'offline', stopped: null })
    expect(atClose).toEqual(['offline'])
    // Stopping by hand while offline is a stop.
    c.close()
    expect(c.getSnapshot()).toMatchObject({
      status: 'stopped',
      stopped: { reason: 'manual', code: 1000 },
    })
    goOnline()
    await tick()
    expect(server.clients).toHaveLength(1)
  })

  it('an open socket stays open when the network goes', async () => {
    const c = connect(mockServer().url)
    await tick()
    goOffline()
    expect(c.getSnapshot().status).toBe('open')
  })
})

describe('page signals of your own (setPageSignals)', () => {
  afterEach(() => setPageSignals(browserSignals))

  it('drive the connections made after the swap: offline pauses a retry, resume reconnects at once', async () => {
    let resume = () => {}
    let offline = () => {}
    const removed = vi.fn()
    setPageSignals((onResume, onOffline) => {
      resume = onResume
      offline = onOffline
      return removed
    })
    const server = mockServer()
    const c = connect(server.url, { reconnectInterval: 5_000 })
    await tick()
    server.last.close({ code: 1006, reason: '', wasClean: false })
    await tick()
    expect(c.getSnapshot().status).toBe('reconnecting')
    offline()
    expect(c.getSnapshot().status).toBe('offline')
    // The window's own event is not what this connection listens to any more.
    goOnline()
    await tick(60_000)
    expect(server.clients).toHaveLength(1)
    resume()
    await tick()
    expect(server.clients).toHaveLength(2)
    expect(c.getSnapshot().status).toBe('open')
    c.dispose()
    expect(removed).toHaveBeenCalledTimes(1)
  })

  it('are not asked for by a connection with browserEvents: false; browserSignals restores the window', async () => {
    const signals = vi.fn(() => () => {})
    setPageSignals(signals)
    connect(mockServer().url)
    connect(mockServer().url, { browserEvents: false })
    expect(signals).toHaveBeenCalledTimes(1)
    setPageSignals(browserSignals)
    const add = vi.spyOn(window, 'addEventListener')
    connect(mockServer().url)
    expect(add.mock.calls.map(([type]) => type).sort()).toEqual(['offline', 'online'])
    add.mockRestore()
  })
})
