/**
 * `crash`: every worker carries `crashAtCheckpoint` (half-way through the run, or `killAfter`); the
 * winner halts right after storing that checkpoint, the sim kills it there (SIGKILL of its process;
 * in-process, its Worker and whole node stop at once) and starts it again on the same data dir,
 * wallet and peer key, on a new port, without the fault. The client's session retries with the same
 * award; the restarted worker finds its unfinished job and resumes training from the stored
 * checkpoint. The final weights hash must equal an uninterrupted honest run of the same spec
 * (trained here in a scratch dir), and the job is paid 90/10 as in `honest`.
 */
import { logger } from '@libp2p/logger'
import { ESCROW_STATE } from '../../../chain/index.js'
import type { WorkerEvent } from '../../roles/index.js'
import { hex, type CrashReport } from '../report.js'
import type { SimJobOutcome, SimPeer } from '../peers.js'
import { NO_FINDINGS, moved, type Check, type Facts, type Scenario, type ScenarioContext, type ScenarioOptions, type ScenarioRun } from '../scenario.js'
import { crashCheckpoint, paidSplit, referenceRun } from './shared.js'

const debugLog = logger('cyx:sim:crash')

/** Both worker-killing scenarios need a run long enough to be killed half-way. */
export function validateKill (name: string, o: ScenarioOptions): void {
  if (o.epochs < 2) throw new Error(`the ${name} scenario needs at least 2 epochs (the worker is killed half-way)`)
}

interface Restart { peerId: string, addrsBefore: readonly string[], addrsAfter: readonly string[], pidBefore: number, pidAfter: number, unfinished: ReadonlyArray<{ jobId: string, state: string }> }

function crashRun (ctx: ScenarioContext, o: ScenarioOptions): ScenarioRun {
  const crashAt = crashCheckpoint(o.epochs, o.killAfter)
  const restartEvents: WorkerEvent[] = []
  let checkpointsBeforeRestart = -1
  let crashed: Promise<Restart> | undefined
  // The first job's winner is killed at its halting checkpoint and restarted on the same dir and keys.
  const killAndRestart = async (peerId: string): Promise<Restart> => {
    const i = ctx.workers.findIndex((p) => p.peerId === peerId)
    const old = ctx.workers[i] as SimPeer
    ctx.log(`  ${old.name} is killed after checkpoint ${crashAt}: ${ctx.mode === 'processes' ? `SIGKILL to its process (pid ${old.pid})` : 'its worker and node stop at once (in-process)'}`)
    await ctx.kill(old)
    checkpointsBeforeRestart = ctx.runs[0]?.checkpointsSeen.length ?? 0
    // The same plan (dir, wallet, peer key) without the fault, joining through the client.
    ctx.log(`  ${old.name} starts again on the same dir and keys, without the fault`)
    const { faults: _faults, ...honest } = old.plan.worker ?? {}
    const p = await ctx.startWorker({ ...old.plan, worker: honest, bootstrap: ctx.client.addrs }, (e) => { restartEvents.push(e) })
    ctx.workers[i] = p
    ctx.log(`  ${p.name} is ready again (${p.peerId.slice(-8)}${ctx.mode === 'processes' ? `, pid ${p.pid}` : ''}, now ${p.addrs[0] ?? '?'}); its job book held ${p.unfinished.map((u) => `${u.jobId.slice(0, 8)}… (${u.state})`).join(', ') || 'nothing unfinished'}`)
    return { peerId: p.peerId, addrsBefore: old.addrs, addrsAfter: p.addrs, pidBefore: old.pid, pidAfter: p.pid, unfinished: p.unfinished }
  }
  return {
    onEvent: (e, r) => {
      if (e.type !== 'checkpoint' || crashed !== undefined || r.award === undefined || e.checkpoint.epoch !== crashAt) return
      crashed = killAndRestart(r.award.worker)
      crashed.catch((err: unknown) => { debugLog.trace('kill and restart failed (awaited below): %e', err) })
    },
    finish: async () => {
      const main = ctx.runs[0]
      if (main === undefined) throw new Error('the crash scenario has no job')
      const restarted = crashed === undefined ? undefined : await crashed
      const outcome = main.outcome
      // What an uninterrupted honest run of the same spec delivers (trained here, in a scratch dir).
      const reference = await referenceRun(ctx.net, outcome as SimJobOutcome)
      const finalWeightsHash = outcome === undefined ? null : hex(outcome.session.delivery.weightsHash)
      const after = checkpointsBeforeRestart < 0 ? [] : main.checkpointsSeen.slice(checkpointsBeforeRestart)
      const crash: CrashReport = {
        killedAtCheckpoint: crashAt,
        killed: restarted !== undefined,
        how: ctx.mode === 'processes' ? 'SIGKILL' : 'in-process',
        pidBefore: restarted?.pidBefore ?? null,
        pidAfter: restarted?.pidAfter ?? null,
        peerId: main.award?.worker ?? '',
        restartedPeerId: restarted?.peerId ?? null,
        addrsBefore: restarted?.addrsBefore ?? [],
        addrsAfter: restarted?.addrsAfter ?? [],
        unfinishedAtRestart: restarted?.unfinished ?? [],
        resumable: restartEvents.some((e) => e.type === 'resumable'),
        resumed: restartEvents.some((e) => e.type === 'resumed'),
        reconnects: main.reconnects,
        checkpointsSeen: main.checkpointsSeen,
        firstCheckpointAfterRestart: after[0] ?? null,
        referenceWeightsHash: reference,
        finalWeightsHash,
        sameFinalHash: finalWeightsHash === reference
      }
      ctx.log(`  reference: an uninterrupted run of the same spec ends at ${reference.slice(0, 16)}…; the resumed run at ${(finalWeightsHash ?? '—').slice(0, 16)}…`)
      return { ...NO_FINDINGS, crash }
    }
  }
}

export function crashChecks (f: Facts): Check[] {
  const c = f.findings.crash
  if (c === null) return [{ name: 'the crash scenario reported what it saw', ok: false }]
  const crashAt = f.crashAt
  const outcome = f.runs[0]?.outcome
  const processes = f.mode === 'processes'
  const sameKeys = c.restartedPeerId === c.peerId && c.addrsAfter.length > 0 && c.addrsAfter.every((a) => !c.addrsBefore.includes(a))
  const jobId = outcome?.jobId
  return [
    { name: `the winner halted after checkpoint ${crashAt} and was killed there${processes ? ' (SIGKILL of its process)' : ''}`, ok: c.killed && c.checkpointsSeen.slice(0, crashAt).every((n, k) => n === k + 1) },
    { name: `it was restarted on the same dir and keys (same peer id and wallet, a new port${processes ? ', a new process' : ''})`, ok: sameKeys && (!processes || c.pidAfter !== c.pidBefore) },
    { name: 'the restarted worker found its unfinished job (training) and resumed it when the client retried', ok: c.unfinishedAtRestart.length === 1 && c.unfinishedAtRestart[0]?.jobId === jobId && c.unfinishedAtRestart[0]?.state === 'training' && c.resumed && c.reconnects > 0 },
    { name: `training resumed from checkpoint ${crashAt}, not from scratch`, ok: c.firstCheckpointAfterRestart === crashAt + 1 && c.checkpointsSeen.length === f.epochs && outcome?.session.delivery.epochs === f.epochs },
    { name: 'the final weights hash equals an uninterrupted honest run of the same spec', ok: c.sameFinalHash },
    { name: 'the job completed and was paid 90/10', ok: outcome?.state === 'completed' && f.escrowAfter.state === ESCROW_STATE.completed && moved(f, f.winnerName) > 0n }
  ]
}

export const crash: Scenario = {
  name: 'crash',
  validate: (o) => {
    validateKill('crash', o)
    crashCheckpoint(o.epochs, o.killAfter)
  },
  plan: (o) => ({ faults: { crashAtCheckpoint: crashCheckpoint(o.epochs, o.killAfter) }, settle: 'complete', client: {}, jurors: 0, keeper: false, sameRate: false }),
  start: crashRun,
  expect: paidSplit,
  checks: crashChecks
}
