import { defineConfig } from 'tsdown'

export default defineConfig({
  // The compat entry is its own file: importing the main entry never pulls it in.
  entry: { index: 'src/index.ts', compat: 'src/compat/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  fixedExtension: true,
  tsconfig: '../../tsconfig.build.json',
})
