// React 18 run, part two (part one is the alias in vitest.config.ts, which covers the sources
// and tests Vite compiles). Node itself loads react, react-dom and the CommonJS build of
// @testing-library/react, outside Vite's alias, and the install pairs the `react-dom-18`
// alias with React 19 (pnpm resolves its `react` peer from this package's own `react`).
// So every Node-level `require('react…')` / `require('react-dom…')` in this worker is
// pointed at the 18 copies here. A mix of copies fails at once, and the version test checks
// the versions.
import { realpathSync } from 'node:fs'
import Module from 'node:module'
import { dirname, resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'

// Paths, not `new URL`: under jsdom the global URL is jsdom's, which node:url does not accept.
const modules = resolvePath(dirname(fileURLToPath(import.meta.url)), '../../node_modules')
const react = realpathSync(resolvePath(modules, 'react-18'))
const reactDom = realpathSync(resolvePath(modules, 'react-dom-18'))

type Resolve = (request: string, ...rest: unknown[]) => string
const loader = Module as unknown as { _resolveFilename: Resolve }
const resolve = loader._resolveFilename

loader._resolveFilename = function (this: unknown, request, ...rest) {
  const match = /^(react|react-dom)(\/.*)?$/.exec(request)
  const target = match ? (match[1] === 'react' ? react : reactDom) + (match[2] ?? '') : request
  return resolve.call(this, target, ...rest)
}
