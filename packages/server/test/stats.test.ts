import { describe, expect, it } from 'vitest'
import { connect, inbox, nextEvent, start, tryUpgrade } from './helpers'

describe('stats', () => {
  it('counts connections, messages in and out, heartbeats, refusals', async () => {
    const { server, url, port } = await start({ path: '/ws' })
    server.handle('echo', (data) => data)
    server.on('connection', (client) => client.emit('welcome'))
    const ws = await connect(url)
    const box = inbox(ws)
    const second = await connect(url)
    const secondBox = inbox(second)
    await box.waitFor(1)
    ws.send(JSON.stringify({ type: 'echo', data: 1, id: 1 }))
    ws.send(JSON.stringify({ type: 'note' }))
    ws.send('ping')
    await box.waitFor(3)
    expect(server.broadcast('all', null)).toBe(2)
    await secondBox.waitFor(1)
    await box.waitFor(4)
    expect((await tryUpgrade(port, '/nope')).status).toBe(404)
    const gone = nextEvent(server, 'disconnect')
    second.close(1000)
    await gone

    const stats = server.stats
    expect(stats).toEqual({
      connections: 1,
      connectionsTotal: 2,
      refused: {
        handshake: 0,
        path: 1,
        origin: 0,
        capacity: 0,
        'shutting-down': 0,
        authenticate: 0,
        'upgrade-error': 0,
        duplicate: 0,
      },
      messagesIn: 2,
      // two welcomes, one reply, two broadcast copies
      messagesOut: 5,
      heartbeats: 1,
      drops: 0,
      terminations: 0,
      rateLimited: 0,
      slowConsumersClosed: 0,
      malformed: 0,
      requestErrors: 0,
      // Reliable delivery is off: no sessions.
      sessions: {
        active: 0,
        detached: 0,
        buffered: 0,
        bufferedBytes: 0,
        started: 0,
        resumed: 0,
        notResumed: 0,
        expired: 0,
        evictedSessions: 0,
        replayed: 0,
        duplicates: 0,
        evicted: 0,
      },
    })
  })

  it('hands out copies, so a reading taken earlier does not move', async () => {
    const { server, url } = await start()
    const before = server.stats
    await connect(url)
    expect(before.connections).toBe(0)
    expect(server.stats.connections).toBe(1)
    before.refused.path = 99
    expect(server.stats.refused.path).toBe(0)
  })
})
