import 'uplot/dist/uPlot.min.css'
import './shared/styles.css'
import { pageInfo, parsePath } from './shared/pages'

// One document for every page (Vite serves it for any path): the path picks the framework,
// and only that framework's code is loaded.
const el = document.getElementById('app') as HTMLElement
const route = parsePath(location.pathname)

if (!route) {
  const { renderHome } = await import('./home/home')
  renderHome(el)
} else {
  document.title = `${pageInfo(route.page).title} · ${route.framework === 'react' ? 'React' : 'Vue'} · Tethered`
  if (route.framework === 'react') {
    const { mountReact } = await import('./react/main')
    mountReact(el, route.page)
  } else {
    const { mountVue } = await import('./vue/main')
    mountVue(el, route.page)
  }
}
