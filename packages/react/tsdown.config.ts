import { defineConfig, type UserConfig } from 'tsdown'

const common: UserConfig = {
  format: ['esm', 'cjs'],
  dts: true,
  fixedExtension: true,
  tsconfig: '../../tsconfig.build.json',
}

// Two builds, not two entries of one: the compat entry is its own file, and the main entry
// gets no chunk it would share with it (importing the main entry never pulls compat in,
// and it stays one file).
export default defineConfig([
  { ...common, entry: { index: 'src/index.ts' }, clean: true },
  {
    ...common,
    entry: { compat: 'src/compat/index.ts' },
    clean: false,
    // A default export beside named ones, as react-use-websocket has: CommonJS users read `.default`.
    outputOptions: { exports: 'named' },
  },
])
