/**
 * The committed wire codecs are what the pinned protons makes of the committed schema: regenerate
 * protocols/wire/messages.proto into a temporary folder with the installed protons (pinned exactly
 * in package.json) and compare byte for byte with protocols/wire/messages.ts. A failure means the
 * .proto was edited without `npm run build:wire`, the generated file was edited by hand, or protons
 * changed version.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generate } from 'protons'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const proto = join(root, 'protocols', 'wire', 'messages.proto')
const committed = join(root, 'protocols', 'wire', 'messages.ts')

describe('protocols/wire: generated codecs', () => {
  it('protons is pinned exactly in package.json, to the installed version', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
    // protons exports no package.json: read the installed one where node resolves the package.
    const installed = (JSON.parse(await readFile(join(root, 'node_modules', 'protons', 'package.json'), 'utf8')) as { version: string }).version
    assert.equal(pkg.devDependencies.protons, installed)
  })

  it('messages.ts is byte-identical to a fresh protons run over messages.proto', async function () {
    this.timeout(60_000)
    const out = await mkdtemp(join(tmpdir(), 'cyx-wire-regen-'))
    try {
      await generate(proto, { output: out })
      const fresh = await readFile(join(out, 'messages.ts'))
      const ours = await readFile(committed)
      assert.ok(fresh.equals(ours), 'protocols/wire/messages.ts differs from what protons generates: run `npm run build:wire` and commit the result')
    } finally {
      await rm(out, { recursive: true, force: true })
    }
  })
})
