import { readFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { hookRegion } from '../../playground/src/shared/code'
import {
  type E2E,
  FRAMEWORKS,
  PHONE,
  screenshot,
  sidewaysOverflow,
  startE2E,
  until,
} from './support'

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E()
})

afterEach(async () => {
  await e2e?.closePages()
})

afterAll(async () => {
  await e2e?.close()
})

const PAGES = ['connection', 'chat', 'dashboard', 'faults'] as const
const SOURCE: Record<string, string> = { react: 'tsx', vue: 'vue' }
const FILE: Record<(typeof PAGES)[number], string> = {
  connection: 'ConnectionPage',
  chat: 'ChatPage',
  dashboard: 'DashboardPage',
  faults: 'FaultsPage',
}
const HOOK: Record<(typeof PAGES)[number], string> = {
  connection: 'useWebSocket<',
  chat: 'useSocket<',
  dashboard: 'useSocket<',
  faults: 'useSocket<',
}

describe.each(FRAMEWORKS)('phone width, 390 x 844 (%s)', (framework) => {
  it.each(PAGES)(
    '%s: nothing scrolls sideways, the menu holds every page and the switch',
    async (name) => {
      const page = await e2e.open(`/${framework}/${name}`, { viewport: PHONE })
      await page.getByTestId('status').first().waitFor()
      await page.getByTestId('inspector').waitFor()
      // The wide navigation is folded into the menu button.
      expect(await page.locator('.topbar > .tabs').isVisible()).toBe(false)
      await page
        .getByRole('button', { name: 'Menu' })
        .or(page.locator('.menu summary'))
        .first()
        .click()
      const menu = page.getByRole('navigation', { name: 'Pages (menu)' })
      await menu.getByRole('link', { name: 'Faults' }).waitFor()
      for (const link of ['Connection', 'Chat', 'Dashboard', 'Faults', 'React', 'Vue']) {
        const box = await menu.getByRole('link', { name: link, exact: true }).boundingBox()
        expect(box, link).not.toBeNull()
        expect((box?.x ?? 0) + (box?.width ?? 0), `${link} is on screen`).toBeLessThanOrEqual(
          PHONE.width,
        )
      }
      const { scrollWidth, innerWidth } = await sidewaysOverflow(page)
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth)
      // The status pill is whole, not cut off.
      const pill = await page.getByTestId('status').first().boundingBox()
      expect((pill?.x ?? 0) + (pill?.width ?? 0)).toBeLessThanOrEqual(PHONE.width)
      await screenshot(page, `${framework}-${name}-phone`)
      expect(e2e.errors).toEqual([])
    },
  )
})

describe('phone width, 390 x 844 (index)', () => {
  it('the index does not scroll sideways', async () => {
    const page = await e2e.open('/', { viewport: PHONE })
    await page.locator('.home-grid').waitFor()
    const { scrollWidth, innerWidth } = await sidewaysOverflow(page)
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth)
  })
})

describe.each(FRAMEWORKS)('dashboard meters (%s)', (framework) => {
  it.each([
    ['desktop', { width: 1280, height: 800 }],
    ['phone', PHONE],
  ] as const)('every meter label fits its tile (%s)', async (_size, viewport) => {
    const page = await e2e.open(`/${framework}/dashboard`, { viewport })
    await page.locator('.meter-label').first().waitFor()
    const labels = await page.locator('.meter').evaluateAll((tiles) =>
      tiles.map((tile) => {
        const label = tile.querySelector('.meter-label') as HTMLElement
        return {
          text: label.textContent,
          fits: label.scrollWidth <= label.clientWidth && tile.scrollWidth <= tile.clientWidth,
        }
      }),
    )
    expect(labels.length).toBe(3)
    for (const label of labels) expect(label, String(label.text)).toMatchObject({ fits: true })
  })
})

describe.each(FRAMEWORKS)('code panel and snapshot inspector (%s)', (framework) => {
  it.each(PAGES)('%s: the panel shows the hook call from the page’s own source', async (name) => {
    const file = `${FILE[name]}.${SOURCE[framework]}`
    const source = readFileSync(
      new URL(`../../playground/src/${framework}/${file}`, import.meta.url),
      'utf8',
    )
    const page = await e2e.open(`/${framework}/${name}`)
    const panel = page.getByTestId('code-panel')
    await panel.waitFor()
    const shown = (await panel.textContent()) ?? ''
    expect(shown).toBe(hookRegion(source, file))
    expect(shown).toContain(HOOK[name])
    expect(await panel.getAttribute('data-file')).toBe(`${framework}/${file}`)
    // The inspector shows the snapshot as it is.
    const status = page.getByTestId('inspect-status')
    await status.waitFor()
    if (name !== 'chat' && name !== 'connection') {
      await until(
        () => status.textContent(),
        (s) => s === 'open',
        10_000,
        'status open',
      )
      expect(await page.getByTestId('inspect-readyState').textContent()).toBe('1 · OPEN')
    } else {
      expect(await status.textContent()).toBe('idle')
    }
    expect(e2e.errors).toEqual([])
  })
})

describe('404', () => {
  it.each([
    ['/react/nope', 'react'],
    ['/vue/nope', 'vue'],
    ['/nope', null],
    ['/react/connection/extra', 'react'],
  ] as const)('%s is a 404 page, not the connection page', async (path, framework) => {
    const response = await fetch(new URL(path, e2e.playground.url), {
      headers: { accept: 'text/html' },
    })
    expect(response.status).toBe(404)
    await response.text()
    const page = await e2e.open(path)
    await page.getByTestId('not-found').waitFor()
    expect(await page.getByTestId('not-found').textContent()).toContain(path)
    expect(await page.getByTestId('status').count()).toBe(0)
    if (framework) {
      expect(await page.getByTestId('framework').textContent()).toBe(`@tethered/${framework}`)
      await page.getByTestId('not-found').getByRole('link', { name: 'Faults' }).click()
      await page.getByTestId('status').waitFor()
      expect(new URL(page.url()).pathname).toBe(`/${framework}/faults`)
    }
    // The browser logs the document's 404 status; nothing else may go wrong.
    const errors = e2e.errors.splice(0).filter((e) => !/status of 404/.test(e))
    expect(errors).toEqual([])
  })

  it('known pages and the modules they load are not 404s', async () => {
    for (const path of ['/', '/react/chat', '/vue/faults', '/src/main.ts']) {
      const response = await fetch(new URL(path, e2e.playground.url), {
        headers: { accept: 'text/html' },
      })
      await response.text()
      expect(response.status, path).toBe(200)
    }
  })
})

describe('dark mode', () => {
  it.each(FRAMEWORKS)('follows prefers-color-scheme (%s)', async (framework) => {
    const light = await e2e.open(`/${framework}/connection`)
    const dark = await e2e.open(`/${framework}/connection`, { colorScheme: 'dark' })
    const background = (page: typeof light) =>
      page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)
    await light.getByTestId('status').waitFor()
    await dark.getByTestId('status').waitFor()
    const luminance = (rgb: string) =>
      (rgb.match(/\d+/g) ?? []).slice(0, 3).reduce((sum, v) => sum + Number(v), 0)
    expect(luminance(await background(light))).toBeGreaterThan(600)
    expect(luminance(await background(dark))).toBeLessThan(150)
    await screenshot(dark, `${framework}-connection-dark`)
  })
})
