import { render, screen } from '@testing-library/react'
import { version as reactVersion, useSyncExternalStore } from 'react'
import { version as domVersion } from 'react-dom'
import { expect, it } from 'vitest'

// Each project must really run the React it names: the hooks, react-dom and the testing
// library all on one copy.
const major = process.env.EXPECTED_REACT_MAJOR

function Probe() {
  const value = useSyncExternalStore(
    () => () => {},
    () => 'same copy',
  )
  return <p>{value}</p>
}

it(`runs on React ${major}`, () => {
  expect(major).toMatch(/^1[89]$/)
  console.info(`react ${reactVersion}, react-dom ${domVersion}`)
  expect(reactVersion.split('.')[0]).toBe(major)
  expect(domVersion).toBe(reactVersion)
  render(<Probe />)
  expect(screen.getByText('same copy')).toBeTruthy()
})
