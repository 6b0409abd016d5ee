// What is React's own in useWebSocket: render identity (stable methods, the same object
// while nothing changed), what a re-render with new props restarts, and the `connect`
// argument. The behaviour both bindings share is in test/bindings/scenarios/.
import { act, cleanup, renderHook, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type RecordingServer, startServer } from '../../../test/support/recording-server'
import { ReadyState, type UrlSource, type UseWebSocketOptions, useWebSocket } from '../src'
import { countingWebSocket } from './support/sockets'

let server: RecordingServer
beforeEach(async () => {
  server = await startServer({
    onMessage: (socket, text) => {
      if (text.startsWith('echo')) socket.send(`re:${text}`)
    },
  })
})
afterEach(async () => {
  cleanup()
  await server.close()
})

describe('useWebSocket: stable methods', () => {
  it('keeps sendMessage, sendJsonMessage, open, close and getWebSocket across renders', async () => {
    const { WebSocket } = countingWebSocket()
    const { result, rerender } = renderHook(
      ({ n }: { n: number }) => useWebSocket(server.url(), { WebSocket, queueSize: n }),
      { initialProps: { n: 1 } },
    )
    const first = result.current
    await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
    rerender({ n: 2 })
    server.send('1')
    await waitFor(() => expect(result.current.lastJsonMessage).toBe(1))
    const last = result.current
    expect(last).not.toBe(first)
    expect(last.sendMessage).toBe(first.sendMessage)
    expect(last.sendJsonMessage).toBe(first.sendJsonMessage)
    expect(last.open).toBe(first.open)
    expect(last.close).toBe(first.close)
    expect(last.getWebSocket).toBe(first.getWebSocket)
  })

  it('returns the same object while nothing changed', async () => {
    const { WebSocket } = countingWebSocket()
    const { result, rerender } = renderHook(() => useWebSocket(server.url(), { WebSocket }))
    await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
    const before = result.current
    rerender()
    expect(result.current).toBe(before)
  })
})

describe('useWebSocket: what restarts the connection', () => {
  type Props = { url: UrlSource; options?: UseWebSocketOptions; connect?: boolean }
  const mount = (initialProps: Props) => {
    const counting = countingWebSocket()
    const hook = renderHook(
      ({ url, options, connect }: Props) =>
        useWebSocket(url, { WebSocket: counting.WebSocket, ...options }, connect),
      { initialProps },
    )
    return { ...hook, made: counting.made }
  }
  const open = async (result: { current: { readyState: number } }) =>
    waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))

  it('connect = false closes and says so; true connects again', async () => {
    const { result, rerender } = mount({ url: server.url() })
    await open(result)
    rerender({ url: server.url(), connect: false })
    await server.until(() => server.open === 0, 'the socket to close')
    expect(result.current.readyState).toBe(ReadyState.UNINSTANTIATED)
    expect(result.current.getWebSocket()).toBeNull()
    expect(result.current.sendMessage('lost', false)).toBe(false)
    rerender({ url: server.url(), connect: true })
    await open(result)
    expect(server.sockets).toHaveLength(2)
  })

  it('url = null or connect = false from the start opens nothing', async () => {
    const { result, made } = mount({ url: null })
    const off = mount({ url: server.url(), connect: false })
    // A round trip on a third hook: the other two would have connected by now.
    const probe = mount({ url: server.url() })
    await open(probe.result)
    probe.result.current.sendMessage('echo')
    await waitFor(() => expect(probe.result.current.lastMessage?.data).toBe('re:echo'))
    expect(made).toHaveLength(0)
    expect(off.made).toHaveLength(0)
    expect(server.sockets).toHaveLength(1)
    expect(result.current.readyState).toBe(ReadyState.UNINSTANTIATED)
    expect(off.result.current.readyState).toBe(ReadyState.UNINSTANTIATED)
  })

  it('new protocols (an equal new array does not)', async () => {
    const { result, rerender } = mount({ url: server.url(), options: { protocols: ['v1'] } })
    await open(result)
    rerender({ url: server.url(), options: { protocols: ['v1'] } })
    rerender({ url: server.url(), options: { protocols: ['v2'] } })
    await server.until(() => server.sockets.length === 2, 'a second connection')
    expect(server.protocols).toEqual(['v1', 'v2'])
    await server.until(() => server.open === 1, 'the first to close')
    await open(result)
  })

  it('new queryParams (an equal new object does not)', async () => {
    const { result, rerender } = mount({ url: server.url(), options: { queryParams: { room: 1 } } })
    await open(result)
    rerender({ url: server.url(), options: { queryParams: { room: 1 } } })
    rerender({ url: server.url(), options: { queryParams: { room: 'two words' } } })
    await server.until(() => server.sockets.length === 2, 'a second connection')
    expect(server.paths).toEqual(['/?room=1', '/?room=two+words'])
    await open(result)
  })

  it('not new callbacks or option objects: the latest callbacks are used', async () => {
    const calls: number[] = []
    const options = (version: number): UseWebSocketOptions => ({
      heartbeat: { interval: 60_000 },
      reconnectInterval: () => 1_000,
      filter: () => true,
      onMessage: () => calls.push(version),
      onOpen: () => calls.push(-version),
    })
    const { result, rerender, made } = mount({ url: server.url(), options: options(1) })
    await open(result)
    for (let version = 2; version <= 5; version++)
      rerender({ url: server.url(), options: options(version) })
    server.send('"hi"')
    await waitFor(() => expect(result.current.lastJsonMessage).toBe('hi'))
    expect(calls).toEqual([-1, 5])
    expect(made).toHaveLength(1)
    expect(server.sockets).toHaveLength(1)
  })

  it('open() connects with connect = false', async () => {
    const { WebSocket } = countingWebSocket()
    const { result } = renderHook(() => useWebSocket(server.url(), { WebSocket }, false))
    expect(result.current.readyState).toBe(ReadyState.UNINSTANTIATED)
    act(() => result.current.open())
    await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
    expect(server.sockets).toHaveLength(1)
  })
})
