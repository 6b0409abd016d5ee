// The chat example of the README, run end to end with the core client (what the React and
// Vue hooks bind) as the browser. Keep the two in step.
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSocketObserver, ReadyState } from '@tethered/core'
import { expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createSocketServer, RequestError, refuse } from '../src/index'
import { onCleanup, tryUpgrade, within } from './helpers'

type Chat = {
  in: { message: { from: string; text: string }; joined: { name: string } }
  out: { message: { text: string } }
  requests: { history: { data: { limit: number }; reply: Array<{ from: string; text: string }> } }
}

it('runs the README chat example', async () => {
  // --- server.ts, as in the README (port 0 instead of 8080)
  type User = { id: string; name: string }
  const history: Array<{ from: string; text: string }> = []

  const http = createServer((_req, res) => res.end('chat server'))
  const sockets = createSocketServer<Chat, User>({
    server: http,
    path: '/ws',
    origins: ['http://localhost:5173'],
    authenticate: (_req, { token }) =>
      token ? { id: token, name: `user-${token}` } : refuse(401, 'sign in first'),
  })

  sockets.on('connection', (client) => {
    client.join('lobby')
    sockets.to('lobby').emit('joined', { name: client.identity.name }, { except: client })
    client.on('message', ({ text }) => {
      const message = { from: client.identity.name, text: String(text).slice(0, 500) }
      history.push(message)
      sockets.to('lobby').emit('message', message)
    })
  })

  sockets.handle('history', ({ limit }) => {
    if (!(limit > 0 && limit <= 100)) throw new RequestError('limit must be 1 to 100', 'BAD_LIMIT')
    return history.slice(-limit)
  })
  // --- end of server.ts

  http.listen(0, '127.0.0.1')
  await within(once(http, 'listening'), 'listening')
  onCleanup(async () => {
    await sockets.close({ timeout: 500 })
    http.closeAllConnections()
    await new Promise((resolve) => http.close(resolve))
  })
  const { port } = http.address() as AddressInfo
  const url = `ws://127.0.0.1:${port}/ws`

  expect((await tryUpgrade(port, '/ws')).body).toBe('sign in first')
  expect(
    (await tryUpgrade(port, '/ws?token=a', { Origin: 'https://elsewhere.example' })).status,
  ).toBe(403)

  const joined: string[] = []
  const chat = createSocketObserver<Chat>(url, {
    WebSocket,
    batch: 'sync',
    queryParams: { token: 'ada' },
    heartbeat: true,
    on: { joined: ({ name }) => joined.push(name) },
  })
  const opened = new Promise<void>((resolve) => {
    const off = chat.subscribe(() => {
      if (chat.getSnapshot().readyState === ReadyState.OPEN) resolve()
    })
    onCleanup(() => {
      off()
      chat.close()
    })
  })
  await within(opened, 'chat open')

  const echoed = new Promise<void>((resolve) => chat.on('message', () => resolve()))
  chat.emit('message', { text: 'hi' })
  await within(echoed, 'the message back')
  expect(chat.getSnapshot().lastMessage).toEqual({
    type: 'message',
    data: { from: 'user-ada', text: 'hi' },
  })
  await expect(chat.request('history', { limit: 50 })).resolves.toEqual([
    { from: 'user-ada', text: 'hi' },
  ])
  await expect(chat.request('history', { limit: 500 })).rejects.toThrow(/limit must be 1 to 100/)

  // A second user joins: the first hears of it.
  const second = createSocketObserver<Chat>(url, {
    WebSocket,
    batch: 'sync',
    queryParams: { token: 'bob' },
  })
  const heard = new Promise<void>((resolve) => chat.on('joined', () => resolve()))
  const offSecond = second.subscribe(() => {})
  onCleanup(() => {
    offSecond()
    second.close()
  })
  await within(heard, 'joined')
  expect(joined).toEqual(['user-bob'])
})
