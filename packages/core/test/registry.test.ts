import { describe, expect, it } from 'vitest'
import { acquireShared, ReadyState, sharedConnectionCount } from '../src'
import { mockServer, TestSocket, tick, useFakeClock } from './support'

useFakeClock()
const base = { WebSocket: TestSocket, batch: 'sync' } as const

describe('shared connections', () => {
  it('hand one ref-counted socket to everyone with the same url + protocols', async () => {
    const server = mockServer()
    const a = acquireShared(server.url, base)
    const b = acquireShared(server.url, base)
    const other = acquireShared(server.url, { ...base, protocols: 'v2' })
    await tick()
    expect(a.connection).toBe(b.connection)
    expect(other.connection).not.toBe(a.connection)
    expect(server.clients).toHaveLength(2)
    a.release()
    a.release() // twice is once
    other.release()
    await tick(5_000)
    expect(b.connection.getSnapshot().readyState).toBe(ReadyState.OPEN)
    b.release()
    await tick(999)
    expect(b.connection.getSnapshot().readyState).toBe(ReadyState.OPEN)
    await tick(1)
    expect(b.connection.getWebSocket()).toBeNull()
    expect(sharedConnectionCount()).toBe(0)
  })

  it('keep the socket when a new user comes within the linger', async () => {
    const server = mockServer()
    const first = acquireShared(server.url, base, 500)
    await tick()
    first.release()
    await tick(400)
    const second = acquireShared(server.url, base, 500)
    await tick(1_000)
    expect(second.connection).toBe(first.connection)
    expect(server.clients).toHaveLength(1)
    expect(second.connection.getSnapshot().readyState).toBe(ReadyState.OPEN)
    second.release()
    await tick(500)
  })

  it('reconnect a connection that stopped for a new user; the users there see it open', async () => {
    const server = mockServer()
    const options = { ...base, reconnectAttempts: 2, reconnectInterval: 10 }
    const first = acquireShared(server.url, options)
    await tick()
    server.last.close({ code: 1000, reason: 'bye', wasClean: true })
    await tick()
    expect(first.connection.getSnapshot()).toMatchObject({
      status: 'stopped',
      stopped: { reason: 'policy', code: 1000 },
    })
    // While the first user is still there…
    const second = acquireShared(server.url, options)
    await tick()
    expect(second.connection).toBe(first.connection)
    expect(first.connection.getSnapshot().status).toBe('open')
    expect(server.clients).toHaveLength(2)
    // …and within the linger after the last one left, here once the attempts ran out.
    first.release()
    second.release()
    server.refuse()
    server.last.close({ code: 1012, reason: 'restart', wasClean: true })
    await tick(100)
    expect(first.connection.getSnapshot()).toMatchObject({
      status: 'stopped',
      stopped: { reason: 'attempts' },
    })
    server.refuse(false)
    const third = acquireShared(server.url, options)
    expect(third.connection).toBe(first.connection)
    await tick()
    expect(third.connection.getSnapshot().status).toBe('open')
    expect(server.clients).toHaveLength(3)
    third.release()
    await tick(1_000)
  })

  it('reopen after a manual close() by one user when another user arrives', async () => {
    const server = mockServer()
    const a = acquireShared(server.url, base)
    const b = acquireShared(server.url, base)
    await tick()
    // One socket: a close by one of its users closes it for all of them…
    a.connection.close()
    await tick()
    expect(b.connection.getSnapshot()).toMatchObject({
      status: 'stopped',
      stopped: { reason: 'manual', code: 1000 },
    })
    // …and the next user to arrive opens it again, as it would open a socket of its own.
    const c = acquireShared(server.url, base)
    await tick()
    expect(b.connection.getSnapshot().status).toBe('open')
    expect(server.clients).toHaveLength(2)
    for (const lease of [a, b, c]) lease.release()
    await tick(1_000)
  })
  it('reopen for a user who arrives while a manual close() is still closing', async () => {
    const server = mockServer()
    const a = acquireShared(server.url, base)
    await tick()
    a.connection.close()
    expect(a.connection.getSnapshot().status).toBe('closing')
    const b = acquireShared(server.url, base)
    await tick(5_000)
    expect(b.connection.getSnapshot().status).toBe('open')
    expect(server.clients).toHaveLength(2)
    a.release()
    b.release()
    await tick(1_000)
  })
})
