import { fileURLToPath } from 'node:url'
import { playwright } from '@vitest/browser-playwright'
import { defineConfig, type Plugin } from 'vitest/config'

// Tests read the packages' TypeScript sources through the `@tethered/source` export
// condition, so a fresh clone needs no build before `pnpm test`.
const resolve = { conditions: ['@tethered/source'] }

const reactModules = fileURLToPath(new URL('./packages/react/node_modules', import.meta.url))

const local = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// The behaviour suite in Chromium: the scenarios' `./environment` (jsdom, `ws`, servers in
// the same process) becomes the browser one (the page's WebSocket, servers in Node).
const suiteFiles = new Set(['harness.ts', 'behaviour.ts'].map((f) => local(`./test/bindings/${f}`)))
const browserEnvironment: Plugin = {
  name: 'tethered:bindings-browser-environment',
  enforce: 'pre',
  // The globalSetup runs in Vitest's own environment, which takes no project `resolve`.
  configEnvironment(name) {
    if (name === '__vitest__') return { resolve: { conditions: ['@tethered/source', 'node'] } }
    return null
  },
  resolveId(source, importer) {
    if (source === './environment' && importer && suiteFiles.has(importer)) {
      return local('./test/bindings/environment.browser.ts')
    }
    return null
  },
}

// Debian's chromium (apt-get), never a downloaded one; the globalSetup says so when missing.
const chromium = playwright({
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 30_000,
  },
})

export default defineConfig({
  test: {
    projects: [
      {
        resolve,
        ssr: { resolve },
        test: {
          name: 'core',
          environment: 'node',
          include: ['packages/core/test/**/*.test.ts'],
          typecheck: { enabled: true, include: ['packages/core/test/**/*.test-d.ts'] },
        },
      },
      {
        test: {
          name: 'protocol',
          environment: 'node',
          include: ['packages/protocol/test/**/*.test.ts'],
        },
      },
      {
        resolve,
        ssr: { resolve },
        test: {
          name: 'server',
          environment: 'node',
          include: ['packages/server/test/**/*.test.ts'],
          typecheck: { enabled: true, include: ['packages/server/test/**/*.test-d.ts'] },
        },
      },
      {
        // @tethered/redis against a real redis-server each test file starts on a free port.
        resolve,
        ssr: { resolve },
        test: {
          name: 'redis',
          environment: 'node',
          include: ['packages/redis/test/**/*.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        resolve,
        // The SSR test runs in the node environment, which resolves through Vite's SSR settings.
        ssr: { resolve },
        test: {
          name: 'react',
          environment: 'jsdom',
          include: ['packages/react/test/**/*.test.{ts,tsx}'],
          setupFiles: ['packages/react/test/support/setup.ts'],
          env: { EXPECTED_REACT_MAJOR: '19' },
          // Its own tsconfig, so type errors elsewhere in the repository do not fail this project.
          typecheck: {
            enabled: true,
            include: ['packages/react/test/**/*.test-d.{ts,tsx}'],
            tsconfig: 'packages/react/tsconfig.json',
          },
        },
      },
      {
        // The same tests on React 18. The alias covers what Vite compiles (sources, tests); the
        // first setup file points Node's own `require('react' | 'react-dom')` (react-dom,
        // @testing-library/react) at the 18 copies: inlining the testing library is not
        // enough, because the installed react-dom 18 is paired with React 19 (see there).
        resolve: {
          ...resolve,
          alias: [
            { find: /^react(\/.*)?$/, replacement: `${reactModules}/react-18$1` },
            { find: /^react-dom(\/.*)?$/, replacement: `${reactModules}/react-dom-18$1` },
          ],
        },
        ssr: { resolve },
        test: {
          name: 'react18',
          environment: 'jsdom',
          include: ['packages/react/test/**/*.test.{ts,tsx}'],
          setupFiles: [
            'packages/react/test/support/react18.ts',
            'packages/react/test/support/setup.ts',
          ],
          env: { EXPECTED_REACT_MAJOR: '18' },
        },
      },
      {
        resolve,
        // Node-environment files (the SSR test) resolve through Vite's SSR settings.
        ssr: { resolve },
        test: {
          name: 'vue',
          environment: 'jsdom',
          include: ['packages/vue/test/**/*.test.ts'],
          typecheck: { enabled: true, include: ['packages/vue/test/**/*.test-d.ts'] },
        },
      },
      {
        resolve,
        ssr: { resolve },
        test: {
          name: 'bindings',
          environment: 'jsdom',
          include: ['test/bindings/**/*.test.{ts,tsx}'],
        },
      },
      {
        // The same scenarios, both bindings, in headless Chromium with its own WebSocket: frames
        // (requestAnimationFrame batching), the page's events and native close codes are the
        // browser's. The servers run in Node: test/bindings/control.ts.
        // Rooted in test/, where the frameworks are installed, for the optimizer to find them.
        root: local('./test'),
        plugins: [browserEnvironment],
        // What @vitejs/plugin-vue would define: Vue's esm-bundler build warns without them.
        define: {
          __VUE_OPTIONS_API__: 'true',
          __VUE_PROD_DEVTOOLS__: 'false',
          __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
        },
        // Known up front, so no test page reloads when the optimizer discovers them.
        optimizeDeps: {
          include: [
            'react',
            'react-dom',
            'react/jsx-dev-runtime',
            '@testing-library/react',
            'vue',
            '@vue/test-utils',
          ],
        },
        resolve: {
          conditions: ['@tethered/source', 'module', 'browser', 'development|production'],
        },
        test: {
          // The project that runs is the instance's, `bindings-browser`.
          name: 'bindings-chromium',
          include: ['bindings/**/*.test.{ts,tsx}'],
          globalSetup: ['bindings/control.ts'],
          testTimeout: 20_000,
          browser: {
            enabled: true,
            headless: true,
            provider: chromium,
            instances: [{ browser: 'chromium', name: 'bindings-browser' }],
            screenshotFailures: false,
          },
        },
      },
      {
        // The wire format: both ends' frames, and hostile peers on real loopback sockets.
        resolve,
        ssr: { resolve },
        test: {
          name: 'contract',
          environment: 'node',
          include: ['test/contract/**/*.test.ts'],
          typecheck: { enabled: true, include: ['test/contract/**/*.test-d.ts'] },
        },
      },
      {
        resolve,
        ssr: { resolve },
        test: {
          name: 'integration',
          environment: 'node',
          include: ['test/integration/**/*.test.ts', 'test/fault/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        // The READMEs' code blocks, type-checked and run (test/docs/blocks.ts says how).
        test: {
          name: 'docs',
          environment: 'node',
          include: ['test/docs/**/*.test.ts'],
        },
      },
      {
        // Browser end-to-end: each file starts the playground on a free port and drives
        // Debian's chromium through playwright-core. One file at a time: they share the CPU.
        resolve,
        ssr: { resolve },
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
