// `pnpm cluster` in a browser: redis-server, three instances and the round-robin front (all on
// 127.0.0.1, port 0). The fault page kills the instance serving it; the page moves to
// another instance, its reliable session resumes there, and no tick is lost or repeated.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Cluster, startCluster } from '../../playground/server/cluster'
import { FRAMEWORKS, flowing, launchBrowser, numberIn, screenshot, until } from './support'

/** The kill is seen at once (1006); the first retry waits up to 1 s, the resume a bit more. */
const MOVED_MS = 8_000

let cluster: Cluster
let browser: Browser
const errors: string[] = []

beforeAll(async () => {
  browser = await launchBrowser()
  cluster = await startCluster({
    host: '127.0.0.1',
    port: 0,
    logLevel: 'warn',
    watch: false,
    cacheDir: 'node_modules/.vite-e2e',
    startTimeout: 45_000,
  })
})

afterAll(async () => {
  await browser?.close().catch(() => {})
  await cluster?.close()
})

async function open(path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  page.on('pageerror', (error) => errors.push(`${path}: ${error.message}`))
  page.on('console', (message) => {
    // A killed instance fails the handshakes routed to it: expected here.
    if (message.type() === 'error' && !/WebSocket connection to .* failed/.test(message.text())) {
      errors.push(`${path}: console.error ${message.text()}`)
    }
  })
  await page.goto(new URL(path, cluster.playground.url).href, { waitUntil: 'domcontentloaded' })
  return page
}

const text = async (page: Page, id: string) => (await page.getByTestId(id).textContent()) ?? ''

/** The kill is refused while an instance is down: wait until it is back (a few seconds). */
async function expectUp(name: string): Promise<void> {
  await until(
    async () => cluster.instances().find((i) => i.name === name)?.state,
    (state) => state === 'up',
    45_000,
    `instance ${name} up`,
  )
}

describe.each(FRAMEWORKS)('kill the instance serving the page (%s)', (framework) => {
  let page: Page

  beforeAll(async () => {
    // Every instance up again (the previous framework's kill restarts one).
    await cluster.ready(45_000)
    page = await open(`/${framework}/faults?reliable=1`)
    await flowing(page, 10_000)
  })

  afterAll(() => page?.context().close())

  it('names the instance serving it and offers the kill', async () => {
    const names = cluster.instances().map((i) => i.name)
    const served = await until(
      () => text(page, 'instance'),
      (name) => names.includes(name),
      5_000,
      'the serving instance on the page',
    )
    expect(names).toContain(served)
    await expect(
      page.getByRole('button', { name: 'Kill this instance' }).isEnabled(),
    ).resolves.toBe(true)
  })

  it('reliable: the session resumes on another instance with nothing lost or repeated', async () => {
    const victim = await text(page, 'instance')
    const seqBefore = await numberIn(page.getByTestId('last-seq'))
    await page.getByRole('button', { name: 'Kill this instance' }).click()

    const moved = await until(
      () => text(page, 'instance'),
      (name) => name !== '' && name !== victim,
      MOVED_MS,
      `the page served by an instance other than ${victim}`,
    )
    await flowing(page, MOVED_MS)
    expect(cluster.instances().find((i) => i.name === victim)?.lastExit).toBe('SIGKILL')
    expect(cluster.instances().find((i) => i.name === moved)?.state).toBe('up')
    // Ticks went on while the page was away, and all of them arrived, once, in order.
    await until(
      () => numberIn(page.getByTestId('last-seq')),
      (n) => n > seqBefore + 20,
      5_000,
      'ticks past the kill',
    )
    expect(await page.getByTestId('session').getAttribute('data-resumed')).toBe('true')
    expect(await text(page, 'missed')).toBe('0')
    expect(await text(page, 'repeated')).toBe('0')
    const titles = await page.locator('.timeline-entry .timeline-title').allTextContents()
    expect(titles).toContain('Kill requested')
    expect(titles).toContain(`Now served by instance ${moved}`)
    expect(titles).toContain('Data flowing again')
    const again = await page
      .locator('.timeline-entry[data-kind="flowing"] .timeline-detail')
      .first()
      .textContent()
    expect(again).toContain('no tick missed')
    await screenshot(page, `cluster-${framework}-killed`)
  })

  it('plain: the page reconnects to another instance and data flows again', async () => {
    await page.getByRole('checkbox', { name: /Reliable delivery/ }).uncheck()
    await until(
      () => page.getByTestId('session').getAttribute('data-resumed'),
      (resumed) => resumed === 'null',
      5_000,
      'the plain endpoint',
    )
    await flowing(page, 5_000)
    const victim = await text(page, 'instance')
    await expectUp(victim)
    await page.getByRole('button', { name: 'Kill this instance' }).click()
    await until(
      () => text(page, 'instance'),
      (name) => name !== '' && name !== victim,
      MOVED_MS,
      `the page served by an instance other than ${victim}`,
    )
    await flowing(page, MOVED_MS)
    expect(cluster.instances().find((i) => i.name === victim)?.lastExit).toBe('SIGKILL')
  })
})

describe('the front', () => {
  it('lists the instances and refuses a kill by an unknown name', async () => {
    const base = cluster.playground.url
    const state = (await (await fetch(`${base}api/cluster`)).json()) as {
      instances: Array<{ name: string; state: string }>
    }
    expect(state.instances.map((i) => i.name)).toEqual(['a', 'b', 'c'])
    const refused = await fetch(`${base}api/cluster/kill?instance=zz`, { method: 'POST' })
    expect(refused.status).toBe(404)
    expect(((await refused.json()) as { error: string }).error).toContain(
      'the instances are a, b, c',
    )
  })

  it('no page threw or logged an error', () => {
    expect(errors).toEqual([])
  })
})
