#!/usr/bin/env node
// The `cyx` binary. It installs the Node 20 polyfills, registers tsx so the TypeScript sources run
// as they are (no separate build step to drift from the code), then hands over to main.ts.
import '../runtime/node20.mjs'
import { register } from 'tsx/esm/api'

register()
const { main } = await import('./main.ts')
process.exitCode = await main(process.argv.slice(2))
