/**
 * Headless Chromium for the UI's browser tests and benchmarks: Debian's `chromium` (no browser
 * download) driven by playwright-core. `findChromium` says where it is, or undefined.
 */
import { existsSync } from 'node:fs'

import { type Browser, chromium } from 'playwright-core'

/** Where the browser tests write their screenshots (ignored by git). */
export const ARTIFACTS = new URL('../artifacts/', import.meta.url)

/** The Chromium executable: `CHROMIUM_PATH`, else the Debian/Ubuntu paths. */
export function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']
  return candidates.find((p) => p !== undefined && p !== '' && existsSync(p))
}

/** Launches headless Chromium at `executablePath`. */
export function launch(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] })
}
