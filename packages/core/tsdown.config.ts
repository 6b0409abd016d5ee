import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: ['src/index.ts', 'src/protocol.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  fixedExtension: true,
  tsconfig: '../../tsconfig.build.json',
  inputOptions: { optimization: { inlineConst: true } },
})
