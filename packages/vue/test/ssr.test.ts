// @vitest-environment node

import { createConnection } from '@tethered/core'
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest'
import { createSSRApp, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import {
  ReadyState,
  useConnection,
  useSocket,
  useWebSocket,
  type WebSocketConstructor,
} from '../src'

type Chat = { in: { joined: { name: string } }; out: { hello: undefined } }

let constructed = 0
/** Counts every socket anybody tries to open; there must be none. */
const Counting = function Counting() {
  constructed++
  throw new Error('server rendering must not open a socket')
} as unknown as WebSocketConstructor

let warn: MockInstance<typeof console.warn>
beforeEach(() => {
  constructed = 0
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
})
afterEach(() => warn.mockRestore())

describe('server rendering (no window)', () => {
  it('useConnection renders the idle snapshot, whatever the connection is doing', async () => {
    // On the server this connection cannot open (no socket may be made): it stops with an error.
    const connection = createConnection('ws://127.0.0.1:9/', { WebSocket: Counting })
    expect(connection.getSnapshot().status).toBe('stopped')
    const app = createSSRApp({
      setup() {
        const ws = useConnection(connection)
        return () => h('p', `${ws.readyState.value} ${ws.status.value} ${ws.error.value}`)
      },
    })
    expect(await renderToString(app)).toBe(`<p>${ReadyState.UNINSTANTIATED} idle null</p>`)
    connection.dispose()
  })

  it('renders UNINSTANTIATED with both composables and opens nothing', async () => {
    expect(typeof window).toBe('undefined')
    const sent: boolean[] = []
    const app = createSSRApp({
      setup() {
        const ws = useWebSocket<{ n: number }>('ws://127.0.0.1:9/', { WebSocket: Counting })
        const chat = useSocket<Chat>('ws://127.0.0.1:9/', { WebSocket: Counting, share: true })
        sent.push(ws.sendMessage('x'), chat.emit('hello'))
        ws.open()
        chat.open()
        return () =>
          h('p', [
            `${ws.readyState.value} ${ws.lastJsonMessage.value} ${ws.error.value}`,
            ` | ${chat.readyState.value} ${chat.lastMessage.value}`,
          ])
      },
    })
    const html = await renderToString(app)
    expect(html).toBe(
      `<p>${ReadyState.UNINSTANTIATED} null null | ${ReadyState.UNINSTANTIATED} null</p>`,
    )
    // Let anything scheduled run: still nothing opened.
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(constructed).toBe(0)
    expect(sent).toEqual([false, false])
    expect(warn).not.toHaveBeenCalled()
  })

  it('rejects a request at once', async () => {
    let request: Promise<unknown> | undefined
    await renderToString(
      createSSRApp({
        setup() {
          const chat = useSocket<Chat & { requests: { who: { data: null; reply: string } } }>(
            'ws://127.0.0.1:9/',
            { WebSocket: Counting },
          )
          request = chat.request('who', null)
          request.catch(() => {})
          return () => h('i')
        },
      }),
    )
    await expect(request).rejects.toMatchObject({ code: 'REQUEST_CLOSED' })
    expect(constructed).toBe(0)
  })
})
