import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core'
import { type Playground, startPlayground } from '../../playground/server/index'
import { pollFor } from '../support/wait'

/** Debian's chromium: installed by `.ci/run` with apt-get, never downloaded by a test tool. */
export const CHROMIUM = '/usr/bin/chromium'
export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url))

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
]

export type Framework = 'react' | 'vue'
export const FRAMEWORKS: readonly Framework[] = ['react', 'vue']

export interface OpenOptions {
  /** @default 1280 x 860 */
  viewport?: { width: number; height: number }
  /** `prefers-color-scheme`. @default 'light' */
  colorScheme?: 'light' | 'dark'
}

/** A phone: the size the playground must fit without scrolling sideways. */
export const PHONE = { width: 390, height: 844 }

export interface E2E {
  playground: Playground
  browser: Browser
  /** Opens a page of the playground in a fresh context (its own tab, as a user would). */
  open(path: string, options?: OpenOptions): Promise<Page>
  /** Errors the pages threw or logged; checked empty by `close`. */
  errors: string[]
  /** Closes every page opened so far (streaming pages left open slow the next tests down). */
  closePages(): Promise<void>
  close(): Promise<void>
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Debian's chromium at ${CHROMIUM}, which is missing. Install it with \`apt-get install chromium\` (the tests never download a browser).`,
    )
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 })
}

/** The playground on a free port plus a headless chromium, for one test file. */
export async function startE2E(): Promise<E2E> {
  const browser = await launchBrowser()
  let playground: Playground
  try {
    playground = await startPlayground({
      host: '127.0.0.1',
      port: 0,
      logLevel: 'warn',
      watch: false,
      // Not `npm start`'s cache: each would invalidate the other's pre-bundled dependencies.
      cacheDir: 'node_modules/.vite-e2e',
    })
  } catch (error) {
    await browser.close()
    throw error
  }
  const contexts: BrowserContext[] = []
  const errors: string[] = []
  return {
    playground,
    browser,
    errors,
    async open(path, options = {}) {
      const context = await browser.newContext({
        viewport: options.viewport ?? { width: 1280, height: 860 },
        colorScheme: options.colorScheme ?? 'light',
      })
      contexts.push(context)
      const page = await context.newPage()
      page.setDefaultTimeout(15_000)
      page.on('pageerror', (error) => errors.push(`${path}: ${error.message}`))
      page.on('console', (message) => {
        if (message.type() === 'error' && !isExpectedConsoleError(message.text())) {
          errors.push(`${path}: console.error ${message.text()}`)
        }
      })
      await page.goto(new URL(path, playground.url).href, { waitUntil: 'domcontentloaded' })
      return page
    },
    async closePages() {
      for (const context of contexts.splice(0)) await context.close().catch(() => {})
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {})
      await browser.close().catch(() => {})
      await playground.close()
    },
  }
}

/**
 * The browser logs every failed WebSocket handshake (a restart refusing connections) and
 * every socket closed by the other end; those are the faults the tests cause on purpose.
 */
function isExpectedConsoleError(text: string): boolean {
  return /WebSocket connection to .* failed/.test(text)
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true })
  const path = `${ARTIFACTS}${name}.png`
  await page.screenshot({ path, fullPage: true })
  return path
}

/** The shared bounded wait, polling a page every 50 ms: every wait in these tests goes through
 * here or a locator's own timeout. */
export const until = <T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeout: number,
  what: string,
): Promise<T> => pollFor(read, check, timeout, what, 50)

/** The faults page's data flow is `flowing`: messages arrive (its `flow` indicator). */
export async function flowing(page: Page, timeout: number): Promise<void> {
  await until(
    () => page.getByTestId('flow').getAttribute('data-state'),
    (state) => state === 'flowing',
    timeout,
    'data flowing',
  )
}

/** Waits for a button (or input) to be enabled, or disabled. */
export async function expectEnabled(
  locator: Locator,
  want: boolean,
  timeout = 10_000,
): Promise<void> {
  await until(
    () => locator.isEnabled(),
    (v) => v === want,
    timeout,
    `${locator} enabled = ${want}`,
  )
}

export async function statusTone(page: Page): Promise<string | null> {
  return page.getByTestId('status').first().getAttribute('data-tone')
}

export async function expectTone(page: Page, tone: string, timeout = 10_000): Promise<void> {
  await until(
    () => statusTone(page),
    (v) => v === tone,
    timeout,
    `status "${tone}"`,
  )
}

/** The page scrolls sideways: its content is wider than the window. */
export async function sidewaysOverflow(
  page: Page,
): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => ({
    scrollWidth: (document.scrollingElement as Element).scrollWidth,
    innerWidth: window.innerWidth,
  }))
}

export async function numberIn(locator: Locator): Promise<number> {
  const text = (await locator.textContent()) ?? ''
  const value = Number(text.replace(/[^0-9.-]/g, ''))
  return Number.isFinite(value) ? value : Number.NaN
}
