// The behaviour both bindings must share, written once. Each framework's test file supplies
// a thin `Binding` (mount a component that uses the hook / composable, report what it
// rendered) and runs `describeBehaviour`, so React and Vue cannot drift apart.
import {
  type Connection,
  createConnection,
  type ObserverOptions,
  sharedConnectionCount,
} from '@tethered/core'
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest'
import type { RecordingServer, ServerOptions } from '../support/recording-server'
import { waitFor } from '../support/wait'
import { environment, type ReliableServer } from './environment'
import { type Binding, base, mounted } from './harness'
import { badInputScenarios } from './scenarios/bad-input'
import { connectionScenarios } from './scenarios/connection'
import { reliableScenarios } from './scenarios/reliable'
import { sharingScenarios } from './scenarios/sharing'
import { socketScenarios } from './scenarios/socket'
import { unmountScenarios } from './scenarios/unmount'
import { webSocketScenarios } from './scenarios/web-socket'
import { TIMEOUT } from './timeout'

export const scenarios = [
  ...webSocketScenarios,
  ...sharingScenarios,
  ...unmountScenarios,
  ...badInputScenarios,
  ...connectionScenarios,
  ...socketScenarios,
  ...reliableScenarios,
]

/** Runs every scenario through `binding`; no console warning or error may appear. */
export function describeBehaviour(binding: Binding): void {
  describe(`behaviour suite: ${binding.name}, ${environment.name}`, () => {
    const servers: RecordingServer[] = []
    let spies: MockInstance[] = []

    const reliableServers: ReliableServer[] = []
    const connections: Connection<unknown, unknown>[] = []

    beforeEach(() => {
      spies = [vi.spyOn(console, 'error'), vi.spyOn(console, 'warn')]
    })

    afterEach(async () => {
      for (const m of [...mounted]) m.unmount()
      for (const c of connections.splice(0)) c.dispose()
      // No shared socket may outlive its scenario: its linger would dispose it later, into
      // the next scenario or after the page is gone.
      await waitFor(() => sharedConnectionCount() === 0, TIMEOUT, 'the shared sockets to go')
      await Promise.all(servers.splice(0).map((s) => s.close()))
      await Promise.all(reliableServers.splice(0).map((s) => s.close({ timeout: 500 })))
      // What failed where nobody awaited it (a browser run's calls into Node).
      await environment.settle()
      const output = spies.flatMap((spy) =>
        spy.mock.calls.map((args) => args.map(String).join(' ')),
      )
      for (const spy of spies) spy.mockRestore()
      expect(output).toEqual([])
    })

    const server = async (options?: ServerOptions) => {
      const s = await environment.startServer(options)
      servers.push(s)
      return s
    }

    const reliableServer = async (port = 0) => {
      const s = await environment.startReliableServer(port)
      reliableServers.push(s.server)
      return s
    }

    const connection = (url: string, options: ObserverOptions<unknown, unknown> = {}) => {
      const c = createConnection(url, { ...base, ...options })
      connections.push(c)
      return c
    }

    for (const scenario of scenarios) {
      it(scenario.name, () => scenario.run({ binding, server, reliableServer, connection }))
    }
  })
}
