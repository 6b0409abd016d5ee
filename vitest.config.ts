import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Tests read the packages' TypeScript sources through the `@tethered/source` export
// condition, so a fresh clone needs no build before `pnpm test`.
const resolve = { conditions: ['@tethered/source'] }

const reactModules = fileURLToPath(new URL('./packages/react/node_modules', import.meta.url))

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
