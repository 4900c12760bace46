// Incremental circuit build (run by scripts/setup.sh): compiles circuits/src, makes the
// development-only trusted setup, caches everything under ~/.cache/cyxwiz by content hash and
// installs it into circuits/build/. Prints "circuits up to date" when nothing changed.
import { buildCircuits } from '../circuits/build.js'

try {
  await buildCircuits()
} catch (err) {
  console.error(`[circuits] build failed: ${(err as Error).stack ?? String(err)}`)
  process.exitCode = 1
}
