// Runs one snarkjs Groth16 proof (witness generation + proving) away from the caller's event loop,
// either as a worker thread or as a child process. Plain JavaScript: it needs no TypeScript loader.
//
// Worker thread: snarkjs' curve library (ffjavascript) spreads work over web-worker threads, and
// the `web-worker` package cannot start those from inside a worker thread (it turns itself into the
// worker side of a web worker as soon as it is loaded there, and wants `workerData.mod`). So in a
// thread the curve runs single-threaded, and the caller passes `mod: 'data:text/javascript,'` to
// give web-worker an empty script to load. A child process is a main thread: proving uses all cores.
import { isMainThread, parentPort, workerData } from 'node:worker_threads'

async function run ({ input, wasm, zkey }, singleThread) {
  const snarkjs = await import('snarkjs')
  const t0 = performance.now()
  try {
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, wasm, zkey, undefined, undefined, { singleThread })
    return { ok: true, proof, publicSignals, seconds: (performance.now() - t0) / 1000 }
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) }
  } finally {
    if (globalThis.curve_bn128) await globalThis.curve_bn128.terminate()
  }
}

if (!isMainThread) {
  parentPort.postMessage(await run(workerData.job, true))
} else if (process.send !== undefined) {
  process.once('message', async (job) => {
    const result = await run(job, false)
    process.send(result, () => process.disconnect())
  })
}
