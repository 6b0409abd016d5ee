// Size budgets (min + gzip, framework external) and the peers' figures printed beside them.
// `useSocket` must add at most 1,040 B to `useWebSocket`: scripts/size-delta.mjs checks the
// difference (`pnpm size` runs both). The hook limits hold today's sizes so CI catches
// growth: issue #12's fixes (heartbeat cadence, local close codes, protocol errors, the
// snapshot's status and stopped, shared reopening) raised them by 246 B (React) and 240 B
// (Vue) after a size pass; see the README for the figures.
// Run after `pnpm build`: `pnpm size`.
const gz = { gzip: true, brotli: false }
const peer = (name, path, imp, ignore = []) => ({
  name: `peer: ${name}`,
  path,
  ...(imp ? { import: { [path]: imp } } : {}),
  ignore,
  ...gz,
})

module.exports = [
  {
    name: '@tethered/core createConnection',
    path: 'packages/core/dist/index.mjs',
    import: { 'packages/core/dist/index.mjs': '{ createConnection }' },
    limit: '3460 B',
    ...gz,
  },
  {
    name: '@tethered/react useWebSocket (core included)',
    path: 'packages/react/dist/index.mjs',
    import: { 'packages/react/dist/index.mjs': '{ useWebSocket }' },
    ignore: ['react', 'react-dom'],
    limit: '4440 B',
    ...gz,
  },
  {
    name: '@tethered/react useWebSocket + useSocket',
    path: 'packages/react/dist/index.mjs',
    import: { 'packages/react/dist/index.mjs': '{ useWebSocket, useSocket }' },
    ignore: ['react', 'react-dom'],
    limit: '5440 B',
    ...gz,
  },
  {
    name: '@tethered/vue useWebSocket (core included)',
    path: 'packages/vue/dist/index.mjs',
    import: { 'packages/vue/dist/index.mjs': '{ useWebSocket }' },
    ignore: ['vue'],
    limit: '4645 B',
    ...gz,
  },
  {
    name: '@tethered/vue useWebSocket + useSocket',
    path: 'packages/vue/dist/index.mjs',
    import: { 'packages/vue/dist/index.mjs': '{ useWebSocket, useSocket }' },
    ignore: ['vue'],
    limit: '5680 B',
    ...gz,
  },
  // A connection made outside components: the user imports createConnection (core) too, so
  // these include the engine, like the useWebSocket entries.
  {
    name: '@tethered/react useConnection',
    path: 'packages/react/dist/index.mjs',
    import: { 'packages/react/dist/index.mjs': '{ useConnection }' },
    ignore: ['react', 'react-dom'],
    limit: '4068 B',
    ...gz,
  },
  {
    name: '@tethered/vue useConnection',
    path: 'packages/vue/dist/index.mjs',
    import: { 'packages/vue/dist/index.mjs': '{ useConnection }' },
    ignore: ['vue'],
    limit: '4345 B',
    ...gz,
  },
  // Typed events over a connection made outside components (the engine included, as above).
  {
    name: '@tethered/react useConnectionSocket',
    path: 'packages/react/dist/index.mjs',
    import: { 'packages/react/dist/index.mjs': '{ useConnectionSocket }' },
    ignore: ['react', 'react-dom'],
    limit: '5050 B',
    ...gz,
  },
  {
    name: '@tethered/vue useConnectionSocket',
    path: 'packages/vue/dist/index.mjs',
    import: { 'packages/vue/dist/index.mjs': '{ useConnectionSocket }' },
    ignore: ['vue'],
    limit: '5360 B',
    ...gz,
  },
  {
    // Issue #15: at most 4.8 kB, beside VueUse's figure below.
    name: '@tethered/vue/compat useWebSocket (core included)',
    path: 'packages/vue/dist/compat.mjs',
    import: { 'packages/vue/dist/compat.mjs': '{ useWebSocket }' },
    ignore: ['vue'],
    limit: '4800 B',
    ...gz,
  },
  {
    // Issue #15: at most 5.0 kB, beside react-use-websocket's figure below.
    name: '@tethered/react/compat useWebSocket (core included)',
    path: 'packages/react/dist/compat.mjs',
    import: { 'packages/react/dist/compat.mjs': '{ useWebSocket }' },
    ignore: ['react', 'react-dom'],
    limit: '5000 B',
    ...gz,
  },
  peer(
    'reconnecting-websocket',
    'test/node_modules/reconnecting-websocket/dist/reconnecting-websocket-mjs.js',
    null,
  ),
  peer('partysocket WebSocket', 'test/node_modules/partysocket/dist/index.js', '{ WebSocket }'),
  peer(
    'react-use-websocket useWebSocket',
    'test/node_modules/react-use-websocket/dist/index.js',
    '{ useWebSocket }',
    ['react', 'react-dom'],
  ),
  peer(
    '@vueuse/core useWebSocket',
    'test/node_modules/@vueuse/core/dist/index.js',
    '{ useWebSocket }',
    ['vue'],
  ),
]
