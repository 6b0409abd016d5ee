import { cleanup, renderHook, waitFor } from '@testing-library/react'
import { createConnection } from '@tethered/core'
import { StrictMode } from 'react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { type RecordingServer, startServer } from '../../../test/support/recording-server'
import { type Connection, ReadyState, useConnection } from '../src'

type Msg = { n: number }
let server: RecordingServer
const made: Connection<Msg, Msg>[] = []
const connection = (url: string) => {
  const c = createConnection<Msg, Msg>(url, { WebSocket })
  made.push(c)
  return c
}
beforeEach(async () => {
  server = await startServer()
})
afterEach(async () => {
  cleanup()
  for (const c of made.splice(0)) c.dispose()
  await server.close()
})

describe('useConnection under StrictMode', () => {
  it('runs its callbacks once per event despite the double mount, and unmounting keeps the socket', async () => {
    const c = connection(server.url())
    const seen: number[] = []
    let opened = 0
    const { result, unmount } = renderHook(
      () =>
        useConnection(c, {
          onOpen: () => opened++,
          onMessage: (_event, json) => json && seen.push(json.n),
        }),
      { wrapper: StrictMode },
    )
    await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
    server.send('{"n":1}')
    server.send('{"n":2}')
    await waitFor(() => expect(result.current.lastJsonMessage).toEqual({ n: 2 }))
    expect(seen).toEqual([1, 2])
    expect(opened).toBe(1)
    unmount()
    expect(c.sendMessage('after unmount')).toBe(true)
    await server.until(() => server.received.includes('after unmount'), 'a send after unmount')
    expect(server.sockets).toHaveLength(1)
    expect(server.open).toBe(1)
  })

  it('a new connection prop moves the hook to it; the old one is left open', async () => {
    // An echo server: what a connection sends comes back to that connection only.
    const echo = await startServer({ echo: true })
    try {
      const first = connection(echo.url())
      const second = connection(echo.url())
      const echoed = { first: [] as string[], second: [] as string[] }
      first.on('message', (event) => echoed.first.push(String(event.data)))
      second.on('message', (event) => echoed.second.push(String(event.data)))
      const { result, rerender } = renderHook(({ c }) => useConnection(c), {
        wrapper: StrictMode,
        initialProps: { c: first },
      })
      await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
      rerender({ c: second })
      await waitFor(() => expect(result.current.getWebSocket()).toBe(second.getWebSocket()))
      await waitFor(() => expect(result.current.readyState).toBe(ReadyState.OPEN))
      expect(result.current.sendMessage('via the hook')).toBe(true)
      await waitFor(() => expect(echoed.second).toEqual(['via the hook']))
      expect(echoed.first).toEqual([])
      expect(first.getSnapshot().readyState).toBe(ReadyState.OPEN)
    } finally {
      await echo.close()
    }
  })
})
