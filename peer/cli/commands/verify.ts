/** `cyx verify`: spot-check training evidence by re-executing segments chosen by a challenge seed. */
import { readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { VerifyEvidenceOptions, VerifyReport } from '../../evidence/index.js'
import { booleanOptions, parseCommandArgs, stringOptions, toJson, UsageError, type Command } from '../command.js'
import { TRAIN_RESULT_FILE, wholeArg } from './train.js'

/** Exit codes: every check passed / a check failed / no judgement possible on this machine. */
export const VERIFY_EXIT = { passed: 0, failed: 1, 'not-judged': 3 } as const

function mark (passed: boolean): string {
  return passed ? 'pass' : 'FAIL'
}

function humanReport (r: VerifyReport): string[] {
  const lines = [
    `evidence      ${r.evidenceCid ?? '?'}`,
    `spec hash     ${r.specHash ?? '?'}`,
    `Merkle root   ${r.merkleRoot ?? '?'}`,
    `chain head    ${r.chainHead ?? '?'}  (${r.segmentCount} segments)`,
    `challenge     ${r.challengeSeed}`,
    `  ${mark(r.evidence.passed)}  manifest (spec, chain, Merkle root)${r.evidence.passed ? '' : `: ${r.evidence.reasons.join('; ')}`}`,
    `  ${mark(r.integrity.passed)}  every block re-hashed (${r.integrity.blocks} blocks)${r.integrity.passed ? '' : `: ${r.integrity.reasons.join('; ')}`}`,
    `  ${mark(r.chain.passed)}  chain and Merkle root recomputed, checkpoints match the schedule${r.chain.passed ? '' : `: ${r.chain.reasons.join('; ')}`}`,
    `  ${mark(r.profile.reproducible)}  determinism profile reproducible here${r.profile.reproducible ? '' : `: ${r.profile.reasons.join('; ')}`}`,
    `  ${mark(r.initialState.passed)}  W_0 is the seed's${r.initialState.passed ? '' : `: ${r.initialState.reasons.join('; ')}`}`
  ]
  for (const s of r.segments) lines.push(`  ${mark(s.passed)}  segment ${s.segment} re-executed from W_${s.segment - 1}${s.passed ? ': same bits, same H_' + s.segment : `: ${s.reasons.join('; ')}`}`)
  lines.push(`  ${mark(r.finalWeights.passed)}  final weights hash ${r.finalWeights.hash ?? '?'}${r.finalWeights.expected === null ? '' : ` (claimed ${r.finalWeights.expected})`}${r.finalWeights.passed ? '' : `: ${r.finalWeights.reasons.join('; ')}`}`)
  const passedSegments = r.segments.filter((s) => s.passed).length
  lines.push(r.verdict === 'passed'
    ? `PASSED: ${passedSegments}/${r.segments.length} spot checks (segments ${r.selected.join(', ')}) and every other check.`
    : r.verdict === 'failed'
      ? `FAILED: ${r.reasons.join('; ')}`
      : `NOT JUDGED: ${r.reasons.join('; ')}`)
  return lines
}

async function kindOf (path: string): Promise<'dir' | 'file' | null> {
  try {
    const s = await stat(path)
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : null
  } catch {
    return null
  }
}

export const verifyCommand: Command = {
  name: 'verify',
  usage: `Usage: cyx verify --evidence DIR|CID|CAR [--challenge SEED] [--checks K] [--store DIR]
                  [--weights-hash HEX] [--json]

Loads the evidence and trusts nothing in it: every block is re-hashed, the checkpoint chain is
recomputed from the spec hash, the Merkle root from the chain. Unless this machine cannot reproduce
the recorded determinism profile (then it says why and does not judge), it draws K segments from
the challenge seed, loads W_{E-1} from the evidence (W_0: the seed's), re-executes segment E and
compares the result bit for bit with the stored checkpoint and its chain hash; then checks the final
weights hash. A job on a client's own model needs that model and dataset too: they are looked up
by the CIDs its spec names, in the same store ("cyx train --model" puts them in DIR's); where they
are not, the evidence is not judged (exit 3).

  --evidence DIR   an output dir of "cyx train" (its evidence store and ${TRAIN_RESULT_FILE})
  --evidence CAR   an evidence CAR file (imported into a temporary store, block by block)
  --evidence CID   evidence already in the store given by --store
  --challenge SEED any text; its UTF-8 bytes seed the choice (default: 32 random bytes, printed)
  --checks K       segments to re-execute, 1..1000 (default 2; at most the segment count)
  --store DIR      the store a CID is looked up in (default ./cyx-train-out)
  --weights-hash H the final weights hash the worker claimed (default with DIR: the one in ${TRAIN_RESULT_FILE})
  --json           the whole report as one JSON object
  -h, --help

Exit status: 0 all checks passed, 1 a check failed (or the evidence is invalid), 3 not judged
(profile not reproducible here, dataset or evidence unavailable), 2 bad arguments.`,
  async run (argv, io) {
    const { values } = parseCommandArgs(argv, {
      ...stringOptions('evidence', 'challenge', 'checks', 'store', 'weights-hash'),
      ...booleanOptions('json')
    })
    const json = values.json === true
    // Loaded here, not with the CLI, so that other commands stay quick.
    const [{ CID }, { verifyEvidence }] = await Promise.all([import('multiformats/cid'), import('../../evidence/index.js')])
    if (values.evidence === undefined || values.evidence === '') throw new UsageError('--evidence is required: an output dir of "cyx train", a CAR file or a CID')
    const checks = wholeArg('checks', values.checks, 2, 1, 1000)
    if (values.challenge !== undefined && (values.challenge.length === 0 || values.challenge.length > 1024)) throw new UsageError('--challenge must be 1..1024 characters')
    let weightsHash = values['weights-hash']?.toLowerCase()
    if (weightsHash !== undefined && !/^[0-9a-f]{64}$/.test(weightsHash)) throw new UsageError(`--weights-hash must be 64 hex digits (got ${JSON.stringify(values['weights-hash'])})`)

    const options: { -readonly [K in keyof VerifyEvidenceOptions]: VerifyEvidenceOptions[K] } = { checks }
    if (values.challenge !== undefined) options.challengeSeed = values.challenge
    const target = values.evidence
    const kind = await kindOf(target)
    if (kind === 'dir') {
      if (values.store !== undefined) throw new UsageError('--store applies to --evidence CID only (a DIR is its own store)')
      const resultPath = join(target, TRAIN_RESULT_FILE)
      let claimed: { evidenceCid?: unknown, finalWeightsHash?: unknown }
      try {
        claimed = JSON.parse(await readFile(resultPath, 'utf8')) as typeof claimed
      } catch (err) {
        throw new UsageError(`${target} is not an output dir of "cyx train": cannot read ${resultPath} (${err instanceof Error ? err.message : String(err)})`)
      }
      if (typeof claimed.evidenceCid !== 'string') throw new UsageError(`${resultPath} names no evidenceCid`)
      options.cid = claimed.evidenceCid
      options.dir = resolve(target)
      if (weightsHash === undefined && typeof claimed.finalWeightsHash === 'string') weightsHash = claimed.finalWeightsHash
    } else if (kind === 'file') {
      if (values.store !== undefined) throw new UsageError('--store applies to --evidence CID only (a CAR is imported into a temporary store)')
      options.carPath = resolve(target)
    } else {
      try {
        CID.parse(target)
      } catch {
        throw new UsageError(`--evidence ${JSON.stringify(target)} is neither a directory, a file nor a CID`)
      }
      const store = resolve(values.store ?? 'cyx-train-out')
      if (await kindOf(store) !== 'dir') throw new UsageError(`--store ${store} is not a directory (a CID is looked up in an evidence store)`)
      options.cid = target
      options.dir = store
    }
    if (weightsHash !== undefined) options.expectedWeightsHash = weightsHash

    if (!json) io.err(`verifying ${target}…`)
    const report = await verifyEvidence(options)
    if (json) io.out(toJson(report))
    else io.out(humanReport(report).join('\n'))
    return VERIFY_EXIT[report.verdict]
  }
}
