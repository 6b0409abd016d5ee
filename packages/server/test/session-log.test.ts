// A reliable session whose log is kept by a remote store (the adapter's `createLog` returns
// pushes that settle later): nothing reaches a socket before it is in the log, and a push
// that fails ends the session loudly.
import type { Welcome } from '@tethered/protocol'
import { describe, expect, it } from 'vitest'
import {
  type AdapterMember,
  type Client,
  memoryAdapter,
  ReplayBuffer,
  type SessionLog,
  type SocketServerError,
} from '../src/index'
import { closed, connect, inbox, nextEvent, start } from './helpers'

/** A memory adapter whose logs confirm each push only when the test says so. */
function remoteLogAdapter() {
  const adapter = memoryAdapter<AdapterMember>()
  const pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = []
  adapter.createLog = (_id, config, stats): SessionLog => {
    const copy = new ReplayBuffer(config, stats)
    return {
      get first() {
        return copy.first
      },
      get size() {
        return copy.size
      },
      push(payload, bytes, now) {
        copy.push(payload, bytes, now)
        return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }))
      },
      acknowledge: (seq) => copy.acknowledge(seq),
      expire: (now) => copy.expire(now),
      get: (seq) => copy.get(seq),
      clear: () => copy.clear(),
    }
  }
  return { adapter, pending }
}

async function session(url: string) {
  const ws = await connect(url)
  const box = inbox(ws)
  ws.send('h:{"v":1,"session":null,"ack":0}')
  await box.waitFor(1, 'the welcome')
  return { ws, box, welcome: JSON.parse((box.messages[0] as string).slice(2)) as Welcome }
}

describe('reliable delivery on a remote session log', () => {
  it('writes a message to the socket only once the log has it, in order', async () => {
    const { adapter, pending } = remoteLogAdapter()
    const { server, url } = await start({ delivery: 'reliable', adapter })
    const connected = nextEvent(server, 'connection')
    const { ws, box } = await session(url)
    const [client] = await connected
    client.emit('one')
    client.emit('two')
    expect(pending).toHaveLength(2)
    // A round trip: had anything been written, it would have arrived before the pong.
    await new Promise<void>((resolve) => {
      ws.once('pong', () => resolve())
      ws.ping()
    })
    expect(box.messages).toHaveLength(1)
    pending[0]?.resolve()
    pending[1]?.resolve()
    await box.waitFor(3, 'both messages')
    expect(box.messages.slice(1)).toEqual(['m:1:{"type":"one"}', 'm:2:{"type":"two"}'])
  })

  it('reports a message the log could not keep, and ends the session: the client is not resumed', async () => {
    const { adapter, pending } = remoteLogAdapter()
    const { server, url } = await start({ delivery: 'reliable', adapter })
    const errors: SocketServerError[] = []
    server.on('error', (error) => errors.push(error))
    const connected = nextEvent(server, 'connection')
    const { ws, welcome } = await session(url)
    const [client] = (await connected) as [Client]
    const gone = closed(ws)
    client.emit('lost')
    pending[0]?.reject(new Error('store down'))
    expect(await gone).toEqual({
      code: 1011,
      reason: 'reliable delivery: the session log could not be written',
    })
    expect(errors.map((e) => e.code)).toEqual(['ADAPTER_ERROR'])
    expect(errors[0]?.message).toMatch(
      new RegExp(`message to client ${client.id} could not be stored.*store down`),
    )
    const again = await connect(url)
    const box = inbox(again)
    again.send(`h:${JSON.stringify({ v: 1, session: welcome.session, ack: 0 })}`)
    await box.waitFor(1, 'the second welcome')
    expect(JSON.parse((box.messages[0] as string).slice(2))).toMatchObject({ resumed: false })
  })
})
