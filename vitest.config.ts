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
        test: {
          name: 'core',
          environment: 'node',
          include: ['packages/core/test/**/*.test.ts'],
          typecheck: { enabled: true, include: ['packages/core/test/**/*.test-d.ts'] },
        },
      },
      {
        resolve,
        test: {
          name: 'server',
          environment: 'node',
          include: ['packages/server/test/**/*.test.ts'],
          typecheck: { enabled: true, include: ['packages/server/test/**/*.test-d.ts'] },
        },
      },
      {
        resolve,
        test: {
          name: 'react',
          environment: 'jsdom',
          include: ['packages/react/test/**/*.test.{ts,tsx}'],
          setupFiles: ['packages/react/test/support/setup.ts'],
          env: { EXPECTED_REACT_MAJOR: '19' },
          typecheck: { enabled: true, include: ['packages/react/test/**/*.test-d.{ts,tsx}'] },
        },
      },
      {
        // The same tests on React 18: `react` and `react-dom` (subpaths included) point at the
        // `react-18` / `react-dom-18` aliases. @testing-library/react is inlined so its own
        // imports go through the alias too; the setup file redirects the `require('react')`
        // inside react-dom 18 (see there why).
        resolve: {
          ...resolve,
          alias: [
            { find: /^react(\/.*)?$/, replacement: `${reactModules}/react-18$1` },
            { find: /^react-dom(\/.*)?$/, replacement: `${reactModules}/react-dom-18$1` },
          ],
        },
        test: {
          name: 'react18',
          environment: 'jsdom',
          include: ['packages/react/test/**/*.test.{ts,tsx}'],
          setupFiles: ['packages/react/test/support/react18.ts', 'packages/react/test/support/setup.ts'],
          env: { EXPECTED_REACT_MAJOR: '18' },
          //INLINE
        },
      },
      {
        resolve,
        test: {
          name: 'vue',
          environment: 'jsdom',
          include: ['packages/vue/test/**/*.test.ts'],
          typecheck: { enabled: true, include: ['packages/vue/test/**/*.test-d.ts'] },
        },
      },
      {
        resolve,
        test: {
          name: 'integration',
          environment: 'node',
          include: ['test/integration/**/*.test.ts', 'test/fault/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
})
