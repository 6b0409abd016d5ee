// Vite's `?raw` import: the file's text (the code panels show the pages' own source).
declare module '*?raw' {
  const source: string
  export default source
}
