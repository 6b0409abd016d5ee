// One instance in a process of its own, for tests that SIGKILL it: a reliable server on
// 127.0.0.1 port 0 whose clients all join room 'feed'. It reports its port over IPC.
// ADAPTER=memory runs it without Redis (a single-instance baseline for the benches), and an
// IPC message `{ emit }` is emitted to room 'feed' as 'news' (the benches' publisher).
import { createSocketServer } from '@tethered/server'
import { redisAdapter } from '../../src/index'

const url = process.env.REDIS_URL
const prefix = process.env.PREFIX
if (!url || !prefix || !process.send) throw new Error('run by a test: REDIS_URL, PREFIX and IPC')
const delivery = process.env.DELIVERY === 'plain' ? 'plain' : 'reliable'
const adapter =
  process.env.ADAPTER === 'memory'
    ? undefined
    : redisAdapter({ url, prefix, lease: Number(process.env.LEASE ?? 600) })
const server = createSocketServer({
  port: 0,
  host: '127.0.0.1',
  delivery,
  ...(adapter ? { adapter } : {}),
})
process.on('message', (message: { emit?: unknown }) => {
  if (message.emit !== undefined) server.to('feed').emit('news', message.emit)
})
server.on('connection', (client) => client.join('feed'))
// Reported to the test, which asserts there were none it did not expect.
server.on('error', (error) => process.send?.({ error: error.message }))
await server.ready
await adapter?.ready
process.send({ port: server.address()?.port, instance: adapter?.instanceId ?? 'memory' })
