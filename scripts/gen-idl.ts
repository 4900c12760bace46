/**
 * Writes the Anchor IDL of the cyxwiz program, `chain/idl/cyxwiz.json`, generated from the
 * client's layout and instruction declarations (`chain/client/idl.ts`). `--check` only compares
 * and exits 1 when the committed file is stale.
 * Run: `node --import tsx --import ./peer/runtime/node20.mjs scripts/gen-idl.ts [--check]`.
 */
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateIdl } from '../chain/client/idl.js'

export const IDL_PATH = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'chain/idl/cyxwiz.json')

/** The IDL file's exact text. */
export const idlText = (): string => JSON.stringify(generateIdl(), null, 2) + '\n'

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = idlText()
  if (process.argv.includes('--check')) {
    const current = existsSync(IDL_PATH) ? readFileSync(IDL_PATH, 'utf8') : ''
    if (current !== text) {
      console.error(`${IDL_PATH} is stale: run scripts/gen-idl.ts`)
      process.exit(1)
    }
  } else {
    mkdirSync(dirname(IDL_PATH), { recursive: true })
    writeFileSync(IDL_PATH, text)
    console.log(`wrote ${IDL_PATH}`)
  }
}
