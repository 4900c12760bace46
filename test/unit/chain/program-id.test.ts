/** `CYX_PROGRAM_ID`: which program a process talks to, parsed once (chain/client/program-id.ts). */
import assert from 'node:assert/strict'
import { Keypair } from '@solana/web3.js'
import { DEFAULT_PROGRAM_ID, ProgramIdError, programIdFromEnv } from '../../../chain/client/index.js'

describe('unit: the program id from the environment', () => {
  const other = Keypair.generate().publicKey.toBase58()
  const cases: Array<[string, Record<string, string | undefined>, string]> = [
    ['unset: the default', {}, DEFAULT_PROGRAM_ID],
    ['empty: the default', { CYX_PROGRAM_ID: '' }, DEFAULT_PROGRAM_ID],
    ['another program', { CYX_PROGRAM_ID: other }, other],
    ['surrounding blanks are not part of it', { CYX_PROGRAM_ID: ` ${other}\n` }, other]
  ]
  for (const [name, env, expected] of cases) {
    it(name, () => { assert.equal(programIdFromEnv(env).toBase58(), expected) })
  }

  const bad: Array<[string, string]> = [
    ['not base 58', 'not-an-address!'],
    ['too short to be 32 bytes', '1111'],
    ['a number', '42'],
    ['one character too many', other + '1']
  ]
  for (const [name, value] of bad) {
    it(`refused: ${name}`, () => {
      assert.throws(() => programIdFromEnv({ CYX_PROGRAM_ID: value }), (e: unknown) =>
        e instanceof ProgramIdError && e.message.includes('CYX_PROGRAM_ID must be the base-58 address') && e.message.includes(JSON.stringify(value.trim())))
    })
  }
})
