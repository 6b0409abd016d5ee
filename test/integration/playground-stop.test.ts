// `npm start`, then Ctrl+C: the playground stops quietly and the command exits 0, as a
// stop should, rather than with a package manager's "Command failed" lines.
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, expect, it } from 'vitest'
import { nextEvent } from '../support/wait'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
let child: ChildProcess | undefined

afterEach(() => {
  // Only if the test failed midway: the process group it started, by its id.
  if (child?.pid && child.exitCode === null && child.signalCode === null) {
    process.kill(-child.pid, 'SIGKILL')
  }
})

it('Ctrl+C on `node scripts/run.mjs start` stops the playground and exits 0, quietly', async () => {
  // PORT=0: a free port, never a fixed one.
  child = spawn(process.execPath, ['scripts/run.mjs', 'start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, as a terminal gives a command.
    detached: true,
  })
  let output = ''
  const heard = new Set<(text: string) => void>()
  const hear = (d: Buffer) => {
    output += d
    for (const h of heard) h(output)
  }
  child.stdout?.on('data', hear)
  child.stderr?.on('data', hear)
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child?.on('close', (code, signal) => resolve([code, signal])),
  )
  await nextEvent<[string]>(
    (h) => {
      heard.add(h)
      return () => heard.delete(h)
    },
    30_000,
    'the playground to print its URL',
    (text) => /Tethered playground\s+http:\/\/127\.0\.0\.1:\d+\//.test(text),
  ).catch((error: Error) => {
    throw new Error(`${error.message}; output so far:\n${output}`)
  })

  // Ctrl+C: the terminal signals the whole foreground process group.
  process.kill(-child.pid!, 'SIGINT')
  const timer = setTimeout(() => process.kill(-child!.pid!, 'SIGKILL'), 15_000)
  const [code, signal] = await exited
  clearTimeout(timer)
  expect({ code, signal }, output).toEqual({ code: 0, signal: null })
  expect(output).toContain('stopping the playground')
  expect(output).not.toMatch(/ERR_PNPM|ELIFECYCLE|Command failed/)
}, 60_000)
