/**
 * `cyx sim` as a user runs it (a separate process), asserting on its JSON: by default every peer is
 * its own OS process (`cyx sim-peer`); `--in-process` runs the same peer hosts in one process and
 * must reach the same result; Ctrl-C stops every peer process.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { settlementSplit } from '../../../protocols/index.js'
import { evaluateModelFile, loadDataset } from '../../../peer/train/index.js'

function sim (...args: string[]): { status: number | null, stdout: string, stderr: string, log: string } {
  // Killed after 330 s: a hang fails its test instead of stalling the suite, and says how far the
  // run got (with --json the sim's log is on stderr).
  const r = spawnSync(process.execPath, ['peer/cli/cyx.mjs', 'sim', ...args], { encoding: 'utf8', timeout: 330_000, killSignal: 'SIGKILL' })
  const why = r.signal === null ? `exit ${String(r.status)}` : `killed by ${r.signal}`
  // Where each job and each peer got to: the last lines naming it (a hang shows who waits).
  const lines = r.stderr.split('\n')
  const lastOf = (tag: string): string => lines.filter((l) => l.includes(tag)).slice(-3).join('\n')
  const who = ['[mnist]', '[zk]', '[cnn]', 'worker-1:', 'worker-2:', 'worker-3:'].map((t) => `${t}\n${lastOf(t)}`).join('\n')
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, log: `cyx sim ${args.join(' ')}: ${why}; the last lines of each job and worker:\n${who}\nits log ends:\n${r.stderr.slice(-2000)}` }
}

/** Whether a process is still there (signal 0 probes without signalling). */
function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('cyx sim --json', function () {
  // A safety net, not a speed target: three real trainings on a 2-core machine take minutes.
  this.timeout(400_000)
  let processes: { jobs: Array<{ worker: string, training: { finalWeightsHash: string } }> } | undefined

  it('the default run, one OS process per peer: an MNIST job (optimistic: claimed after the warped window), a zk job (proof verified on-chain) and a client\'s own PyTorch CNN at once; balances reconcile, the supply is conserved', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cyx-sim-models-'))
    const r = sim('--seed', '11', '--out', out, '--json')
    assert.equal(r.status, 0, r.log)
    const report = JSON.parse(r.stdout)
    processes = report
    assert.equal(report.mode, 'processes')
    assert.equal(report.scenario, 'honest')
    assert.ok(!report.notYet.some((n: string) => /process/.test(n)))
    // The client and three workers, each its own process (none of them this test's sim process).
    assert.deepEqual(report.peers.map((p: { name: string }) => p.name), ['client', 'worker-1', 'worker-2', 'worker-3'])
    const pids = report.peers.map((p: { pid: number }) => p.pid)
    assert.equal(new Set(pids).size, 4)
    for (const pid of pids) assert.ok(!alive(pid), `peer process ${pid} outlived the run`)
    assert.equal(report.ok, true)
    assert.equal(report.supplyConserved, true)
    assert.deepEqual(report.jobs.map((j: { name: string, tier: string }) => [j.name, j.tier]), [['mnist', 'optimistic'], ['zk', 'zk'], ['cnn', 'optimistic']])
    const [mnist, zk, cnn] = report.jobs
    for (const job of report.jobs) {
      assert.equal(job.escrowState, 'completed')
      // Every worker may bid (on a loaded machine one can miss the 1.5 s window).
      assert.ok(job.bids.length >= 1 && job.bids.length <= 3)
      // The award went to the cheapest bid (equal reputation and ETA).
      assert.equal(job.amount, job.bids[0].price)
      assert.ok(job.bids.every((b: { price: string }) => BigInt(b.price) >= BigInt(job.amount)))
      assert.equal(job.proof.spotChecks.passed, job.proof.spotChecks.total)
      assert.ok(job.proof.spotChecks.total > 0)
      assert.match(job.proof.evidenceCid, /^b[a-z2-7]+$/)
      assert.match(job.proof.anchoredRoot, /^[0-9a-f]{64}$/)
      const split = settlementSplit(BigInt(job.amount), 'Bronze')
      assert.equal(BigInt(job.settlement.worker), split.worker)
      assert.equal(BigInt(job.settlement.platform), split.platform)
      assert.equal(job.settlement.refund, '0')
    }
    // MNIST, optimistic: checked within the window, which passed; the worker claimed.
    assert.equal(mnist.state, 'verified')
    assert.equal(mnist.settledBy, 'claimed')
    assert.equal(mnist.training.epochs, 4)
    assert.ok(mnist.training.testAccuracy >= 0.9, `accuracy ${mnist.training.testAccuracy}`)
    assert.equal(mnist.proof.zk, null)
    // Evidence flows while training (issue 17): the client held the worker's checkpoints before the delivery.
    assert.ok(mnist.proof.keptBeforeDelivery >= 1, `kept before delivery: ${mnist.proof.keptBeforeDelivery}`)
    // zk: the challenged step proved and verified by the program, which paid.
    assert.equal(zk.state, 'completed')
    assert.equal(zk.settledBy, 'proved')
    assert.equal(zk.proof.zk.verifiedOnChain, true)
    assert.equal(zk.training.checkpoints, 32)
    assert.ok(zk.proof.zk.challengeStep >= 0 && zk.proof.zk.challengeStep < zk.training.checkpoints - 1)
    assert.ok(zk.proof.zk.computeUnits > 50_000 && zk.proof.zk.computeUnits <= 200_000, `complete_zk ${zk.proof.zk.computeUnits} CU`)
    // Bring your own model: the client's own file back, at the accuracy the client reported.
    assert.equal(cnn.state, 'verified')
    assert.equal(cnn.training.epochs, 5)
    assert.ok(cnn.training.testAccuracy >= 0.96, `CNN accuracy ${cnn.training.testAccuracy}`)
    assert.equal(cnn.training.modelFile, join(out, `${cnn.id}.onnx`))
    const measured = await evaluateModelFile(new Uint8Array(readFileSync(cnn.training.modelFile)), await loadDataset('test/fixtures/byom/mnist.npz'))
    assert.equal(measured.accuracy, cnn.training.testAccuracy)
    assert.ok(report.chain.transactions.count >= 8)
    const paid = report.jobs.reduce((a: bigint, j: { amount: string }) => a + BigInt(j.amount), 0n)
    assert.equal(BigInt(report.balances.client.before) - BigInt(report.balances.client.after), paid)
    assert.equal(report.balances.stake.before, report.balances.stake.after)
    for (const [who, b] of Object.entries(report.balances) as Array<[string, { after: string, expected: string }]>) assert.equal(b.after, b.expected, who)
  })

  it('--in-process runs the same peers in one process, reproducibly: the same seed trains the same weights as the processes run', () => {
    const r = sim('--seed', '11', '--in-process', '--json')
    assert.equal(r.status, 0, r.log)
    const report = JSON.parse(r.stdout)
    assert.equal(report.mode, 'in-process')
    assert.equal(report.ok, true)
    assert.equal(new Set(report.peers.map((p: { pid: number }) => p.pid)).size, 1)
    assert.ok(processes !== undefined, 'the processes run ran first')
    for (const k of [0, 1]) {
      assert.equal(report.jobs[k].worker, processes.jobs[k]!.worker)
      assert.equal(report.jobs[k].training.finalWeightsHash, processes.jobs[k]!.training.finalWeightsHash)
    }
  })

  it('Ctrl-C stops every peer process and exits 130', async () => {
    const child = spawn(process.execPath, ['peer/cli/cyx.mjs', 'sim', '--workers', '2', '--epochs', '50', '--seed', '3'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code) }))
    const pids: number[] = []
    const stderr: string[] = []
    createInterface({ input: child.stderr }).on('line', (l) => stderr.push(l))
    // Interrupted once training is under way (every peer started).
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (l) => {
        const pid = /\(pid (\d+)\)/.exec(l)?.[1]
        if (pid !== undefined) pids.push(Number(pid))
        if (/epoch 1\/50/.test(l)) resolve()
      })
      exited.then(() => { reject(new Error(`cyx sim ended before training: ${stderr.join('\n')}`)) }, reject)
    })
    assert.equal(pids.length, 3)
    assert.ok(pids.every(alive))
    child.kill('SIGINT')
    assert.equal(await exited, 130, stderr.join('\n'))
    assert.ok(stderr.some((l) => /interrupted; every peer stopped/.test(l)), stderr.join('\n'))
    for (const pid of pids) assert.ok(!alive(pid), `peer process ${pid} outlived Ctrl-C`)
  })

  it('refuses bad arguments with exit code 2', () => {
    const r = sim('--workers', '0')
    assert.equal(r.status, 2)
    assert.match(r.stderr, /--workers must be a whole number 1\.\.20/)
    const many = sim('--workers', '21')
    assert.equal(many.status, 2)
    assert.match(many.stderr, /--workers must be a whole number 1\.\.20/)
  })
})
