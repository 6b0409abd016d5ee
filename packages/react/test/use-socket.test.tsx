// What is React's own in useSocket: render identity of its methods, a new `on` object on
// every render, and the `on` method. The behaviour both bindings share is in
// test/bindings/scenarios/socket.ts, the engine's (envelopes, requests) in core.
import { cleanup, renderHook, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type RecordingServer, startServer } from '../../../test/support/recording-server'
import { ReadyState, type UseSocketOptions, useSocket } from '../src'
import { countingWebSocket } from './support/sockets'

type Chat = { in: { joined: { name: string } }; out: Record<string, never> }

let server: RecordingServer
beforeEach(async () => {
  server = await startServer()
})
afterEach(async () => {
  cleanup()
  await server.close()
})

const event = (type: string, data?: unknown) => JSON.stringify({ type, data })

const mountChat = <T extends keyof Chat['in'] & string = keyof Chat['in'] & string>(
  options: UseSocketOptions<Chat, T> = {},
) => {
  const counting = countingWebSocket()
  const hook = renderHook(
    (props: UseSocketOptions<Chat, T>) =>
      useSocket<Chat, T>(server.url(), { WebSocket: counting.WebSocket, ...props }),
    { initialProps: options },
  )
  return { ...hook, made: counting.made }
}

const opened = (result: { current: { readyState: number } }) =>
  waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
describe('useSocket in React', () => {
  it('uses the latest `on` object without reconnecting', async () => {
    const calls: string[] = []
    const { result, rerender, made } = mountChat({ on: { joined: () => calls.push('first') } })
    await opened(result)
    rerender({ on: { joined: () => calls.push('second') } })
    rerender({ on: { joined: () => calls.push('third') }, types: ['joined'] })
    server.send(event('joined', { name: 'ann' }))
    await waitFor(() => expect(calls).toEqual(['third']))
    expect(made).toHaveLength(1)
    expect(server.sockets).toHaveLength(1)
  })

  it('the method `on` adds and removes a handler', async () => {
    const { result } = mountChat()
    await opened(result)
    const seen: string[] = []
    const off = result.current.on('joined', (data) => seen.push(data.name))
    server.send(event('joined', { name: 'ann' }))
    await waitFor(() => expect(seen).toEqual(['ann']))
    off()
    server.send(event('joined', { name: 'bob' }))
    await waitFor(() => expect(result.current.lastMessage?.data).toEqual({ name: 'bob' }))
    expect(seen).toEqual(['ann'])
  })

  it('keeps emit, request, on, open, close and getWebSocket across renders', async () => {
    const { result, rerender } = mountChat()
    const first = result.current
    await opened(result)
    rerender({ types: ['joined'] })
    server.send(event('joined', { name: 'ann' }))
    await waitFor(() => expect(result.current.lastMessage).not.toBeNull())
    const last = result.current
    for (const key of ['emit', 'request', 'on', 'open', 'close', 'getWebSocket'] as const) {
      expect(last[key], key).toBe(first[key])
    }
  })
})
