/**
 * The code panel's text: the region of a page's own source between `#region hook` and
 * `#endregion hook` (as line comments), imported with Vite's `?raw`, so what the panel shows
 * is the code that runs and cannot drift from it.
 */
export function hookRegion(source: string, file: string): string {
  const lines = source.split('\n')
  const start = lines.findIndex((line) => line.trim() === '// #region hook')
  const end = lines.findIndex((line, i) => i > start && line.trim() === '// #endregion hook')
  if (start < 0 || end < 0) {
    throw new Error(
      `${file}: no "// #region hook" … "// #endregion hook" block; wrap the hook call in one so the code panel can show it`,
    )
  }
  const body = lines.slice(start + 1, end)
  const indent = Math.min(
    ...body
      .filter((line) => line.trim() !== '')
      .map((line) => line.length - line.trimStart().length),
  )
  return body.map((line) => line.slice(indent)).join('\n')
}
