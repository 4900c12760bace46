/**
 * `cyx program deploy|init|show`: the cyxwiz program deployed the way any Solana program is —
 * through the BPF upgradeable loader over JSON-RPC — its Config initialised, and what a ledger
 * holds at a program address shown.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { Connection, Keypair, PublicKey } from '@solana/web3.js'
import { booleanOptions, parseCommandArgs, stringOptions, toJson, UsageError, type Command, type CommandIo } from '../command.js'
import { jsonLine, rpcUrl } from './peer-common.js'

const USAGE = `Usage: cyx program deploy --keypair PATH --program-keypair PATH [--authority PATH] [--so PATH]
                          [--max-len BYTES] [--rpc URL] [--json]
       cyx program init --keypair PATH --mint ADDRESS [--program-id ID] [--rpc URL] [--json]
       cyx program show [--program-id ID] [--rpc URL] [--json]

deploy  writes the program (default: the .so that npm run build:program builds) through the BPF
        upgradeable loader, as "solana program deploy" does: a buffer, chunked writes (progress on
        stderr), a read-back check, then DeployWithMaxDataLen. The program's address is the public
        key of --program-keypair (created there, 0600, if the file does not exist). The upgrade
        authority is --authority (default: --keypair, which pays rent and fees).
init    creates the program's Config and vaults for the CYXWIZ mint ADDRESS (an SPL mint with 9
        decimals and no freeze authority), with the protocol's default parameters; --keypair signs
        and becomes the admin.
show    what the ledger holds at the program address: loader, upgrade authority, size, Config.

Keypairs are Solana CLI files (a JSON array of 64 numbers).

Options:
  --rpc URL              the Solana JSON-RPC endpoint (default http://127.0.0.1:8899)
  --keypair PATH         the wallet that pays (deploy) or becomes the admin (init)
  --program-keypair PATH the program's address keypair (deploy)
  --authority PATH       the upgrade authority's keypair (deploy; default --keypair)
  --so PATH              the program to deploy (default chain/program/build/cyxwiz.so)
  --max-len BYTES        room for upgrades (default twice the program's size)
  --program-id ID        the program's address (init, show; default the cyxwiz program id)
  --mint ADDRESS         the CYXWIZ mint (init)
  --json                 one JSON line
  -h, --help`

const OPTIONS = {
  ...stringOptions('rpc', 'keypair', 'program-keypair', 'authority', 'so', 'max-len', 'program-id', 'mint'),
  ...booleanOptions('json')
}

async function readKeypair (path: string | undefined, flag: string): Promise<Keypair> {
  if (path === undefined || path === '') throw new UsageError(`--${flag} PATH is needed`)
  const { parseSolanaKeypair } = await import('../../node/index.js')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    throw new UsageError(`--${flag} ${path}: ${e instanceof Error ? e.message : String(e)}`)
  }
  try {
    return Keypair.fromSecretKey(parseSolanaKeypair(text, path))
  } catch (e) {
    throw new UsageError(`--${flag}: ${e instanceof Error ? e.message : String(e)}`)
  }
}

function address (value: string | undefined, flag: string): PublicKey | undefined {
  if (value === undefined) return undefined
  try {
    return new PublicKey(value)
  } catch {
    throw new UsageError(`--${flag} must be a base-58 address (got ${JSON.stringify(value)})`)
  }
}

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values']

async function deploy (values: Values, io: CommandIo): Promise<number> {
  const { PROGRAM_SO_PATH, deployProgram, checkElf } = await import('../../../chain/index.js')
  const payer = await readKeypair(values.keypair, 'keypair')
  const authority = values.authority === undefined ? payer : await readKeypair(values.authority, 'authority')
  const programPath = values['program-keypair']
  if (programPath === undefined || programPath === '') throw new UsageError('--program-keypair PATH is needed: the program\'s address (created there if the file does not exist)')
  let program: Keypair
  let createdProgramKey = false
  if (existsSync(programPath)) program = await readKeypair(programPath, 'program-keypair')
  else {
    const { writeSecret } = await import('../../node/index.js')
    program = Keypair.generate()
    await writeSecret(programPath, JSON.stringify(Array.from(program.secretKey)))
    createdProgramKey = true
  }
  const soPath = resolve(values.so ?? PROGRAM_SO_PATH)
  let elf: Uint8Array
  try {
    elf = new Uint8Array(await readFile(soPath))
  } catch (e) {
    throw new UsageError(`--so ${soPath}: ${e instanceof Error ? e.message : String(e)}${values.so === undefined ? ' (run npm run build:program)' : ''}`)
  }
  let maxDataLen = 2 * elf.length
  if (values['max-len'] !== undefined) {
    if (!/^\d+$/.test(values['max-len'])) throw new UsageError(`--max-len must be a whole number of bytes (got ${values['max-len']})`)
    maxDataLen = Number(values['max-len'])
  }
  try {
    checkElf(elf, maxDataLen)
  } catch (e) {
    throw new UsageError(`${soPath}: ${e instanceof Error ? e.message : String(e)}`)
  }
  const json = values.json === true
  if (!json) io.err(`program ${program.publicKey.toBase58()}${createdProgramKey ? ` (new keypair written to ${programPath})` : ''}: deploying ${elf.length} bytes from ${soPath}`)

  const abort = new AbortController()
  const onSigint = (): void => { abort.abort(new Error('interrupted')) }
  process.once('SIGINT', onSigint)
  let lastTenth = -1
  try {
    const d = await deployProgram(new Connection(rpcUrl(values.rpc), 'confirmed'), {
      payer,
      program,
      authority,
      elf,
      maxDataLen,
      signal: abort.signal,
      onProgress: (p) => {
        if (json) return
        if (p.stage === 'buffer') io.err(`buffer  ${p.buffer}`)
        else if (p.stage === 'write') {
          const tenth = Math.floor(10 * p.written / p.total)
          if (tenth !== lastTenth) { lastTenth = tenth; io.err(`write   ${Math.round(100 * p.written / p.total)} % (${p.written} of ${p.total} bytes)`) }
        } else if (p.stage === 'verify') io.err(`verify  buffer read back${p.rewrites > 0 ? `, ${p.rewrites} chunks written again` : ', identical'}`)
        else io.err('deploy  DeployWithMaxDataLen')
      }
    })
    if (json) io.out(jsonLine({ ...d, programKeypair: programPath, createdProgramKeypair: createdProgramKey }))
    else io.out(`cyx program deploy: ${d.programId} deployed (${d.bytes} bytes, room for ${d.maxDataLen}; ProgramData ${d.programData}; upgrade authority ${d.upgradeAuthority}; ${d.writes} writes; ${d.signature})`)
    return 0
  } finally {
    process.off('SIGINT', onSigint)
  }
}

async function init (values: Values, io: CommandIo): Promise<number> {
  const chain = await import('../../../chain/index.js')
  const { getMint, TOKEN_PROGRAM_ID } = await import('@solana/spl-token')
  const admin = await readKeypair(values.keypair, 'keypair')
  const mint = address(values.mint, 'mint')
  if (mint === undefined) throw new UsageError('--mint ADDRESS is needed: the CYXWIZ mint')
  const programId = address(values['program-id'], 'program-id') ?? chain.CYXWIZ_PROGRAM_ID
  const connection = new Connection(rpcUrl(values.rpc), 'confirmed')
  // What the program refuses anyway, said before a fee is spent; and what it does not check yet.
  const program = await connection.getAccountInfo(programId, 'confirmed')
  if (program === null || !program.executable) throw new UsageError(`no program is deployed at ${programId.toBase58()} on this ledger (cyx program deploy first)`)
  if (await chain.fetchConfig(connection, programId) !== undefined) throw new UsageError(`the program at ${programId.toBase58()} already has a Config (cyx program show)`)
  let m
  try {
    m = await getMint(connection, mint, 'confirmed', TOKEN_PROGRAM_ID)
  } catch (e) {
    throw new UsageError(`--mint ${mint.toBase58()} is not an SPL Token mint on this ledger: ${e instanceof Error ? e.message : String(e)}`)
  }
  if (m.decimals !== 9) throw new UsageError(`--mint has ${m.decimals} decimals; CYXWIZ has 9`)
  if (m.freezeAuthority !== null) throw new UsageError(`--mint has a freeze authority (${m.freezeAuthority.toBase58()}): its holder could freeze any escrow or stake vault; use a mint without one`)
  const signature = await chain.sendAndConfirm(connection, [chain.initializeConfig({ admin: admin.publicKey, mint }, chain.configParamsFromProtocol(), programId)], [admin])
  const config = chain.configPda(programId).address.toBase58()
  if (values.json === true) io.out(jsonLine({ programId: programId.toBase58(), config, admin: admin.publicKey.toBase58(), mint: mint.toBase58(), signature }))
  else io.out(`cyx program init: Config ${config} of ${programId.toBase58()} (admin ${admin.publicKey.toBase58()}, mint ${mint.toBase58()}; ${signature})`)
  return 0
}

async function show (values: Values, io: CommandIo): Promise<number> {
  const chain = await import('../../../chain/index.js')
  const programId = address(values['program-id'], 'program-id') ?? chain.CYXWIZ_PROGRAM_ID
  const connection = new Connection(rpcUrl(values.rpc), 'confirmed')
  const info = await connection.getAccountInfo(programId, 'confirmed')
  if (info === null) {
    io.err(`cyx program show: nothing at ${programId.toBase58()} on this ledger`)
    return 1
  }
  const deployed = await chain.readDeployedProgram(connection, programId)
  const config = await chain.fetchConfig(connection, programId)
  const report = {
    programId: programId.toBase58(),
    executable: info.executable,
    loader: info.owner.toBase58(),
    /** Deployed through the BPF upgradeable loader (LiteSVM's own loading uses it too, with no authority). */
    upgradeableLoader: deployed !== undefined,
    programData: deployed?.programData ?? null,
    upgradeAuthority: deployed === undefined ? null : deployed.upgradeAuthority ?? 'none (immutable)',
    deployedSlot: deployed?.slot ?? null,
    maxDataLen: deployed?.maxDataLen ?? null,
    config: config === undefined ? null : { address: chain.configPda(programId).address.toBase58(), admin: config.admin.toBase58(), mint: config.mint.toBase58() }
  }
  if (values.json === true) io.out(jsonLine(report))
  else io.out(toJson(report))
  return 0
}

export const programCommand: Command = {
  name: 'program',
  usage: USAGE,
  async run (argv, io) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS, true)
    const [verb, ...rest] = positionals
    if (rest.length > 0) throw new UsageError(`unexpected ${rest.join(' ')}`)
    if (verb === 'deploy') return await deploy(values, io)
    if (verb === 'init') return await init(values, io)
    if (verb === 'show') return await show(values, io)
    throw new UsageError(verb === undefined ? 'say deploy, init or show' : `unknown verb ${verb} (deploy, init or show)`)
  }
}
