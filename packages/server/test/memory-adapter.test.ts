import { describe, expect, it } from 'vitest'
import { type AdapterMember, createSocketServer, memoryAdapter } from '../src/index'
import { describeStateAdapter, type TestMember } from './adapter-contract'
import { connect, nextEvent, start } from './helpers'

describeStateAdapter('memoryAdapter()', () => memoryAdapter<TestMember>())

describe('the adapter option', () => {
  it('is where the server keeps its registry and rooms', async () => {
    const adapter = memoryAdapter<AdapterMember>()
    const { server, url } = await start({ adapter })
    const connected = nextEvent(server, 'connection')
    await connect(url)
    const [client] = await connected
    client.join('lobby')
    expect(adapter.clients.get(client.key)).toBe(client)
    expect([...adapter.members('lobby')]).toEqual([client])
    expect(server.clients).toBe(adapter.clients)
  })

  it('refuses what is not an adapter, and an adapter another server uses', async () => {
    expect(() =>
      createSocketServer({ noServer: true, adapter: {} as ReturnType<typeof memoryAdapter> }),
    ).toThrow(/`adapter` must be a state adapter, got an object \(no `attach\(\)`\)/)
    const adapter = memoryAdapter()
    const first = createSocketServer({ noServer: true, adapter })
    expect(() => createSocketServer({ noServer: true, adapter })).toThrow(
      /already used by another server/,
    )
    await first.close()
  })
})
