/**
 * `cyx model check FILE`: what a client's own ONNX model is (inputs, outputs, parameters, FLOPs,
 * training memory) and whether cyxwiz can train it, with every problem named by op and node. The
 * check is the one every command that takes a model runs (peer/train/model's assertModelSupported).
 */
import { readFile } from 'node:fs/promises'
import { parseCommandArgs, toJson, UsageError, verbCommand, type Command, type CommandIo } from '../command.js'
import { wholeArg } from './train.js'

const USAGE = `Usage: cyx model check FILE [--batch B] [--json]

Checks an ONNX model you bring (exported with torch.onnx.export in eval mode, opset 13–17) and
prints its data input and outputs with shapes (batch dimension N), parameter counts (trainable and
BatchNorm buffers), FLOPs per sample, the ops it uses, an estimate of the memory one training step
takes for a batch of B, and every problem that stops cyxwiz from training it (unsupported ops by
op type and node name, non-default domains, opset, inputs, subgraphs, external data).

Exit status: 0 the model can be trained, 1 it cannot (or FILE is not an ONNX model), 2 usage.

Options:
  --batch B   batch size for the memory estimate (default 32)
  --json      the report as one JSON object
  -h, --help`

async function check (argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' }, batch: { type: 'string' } }, true)
  if (positionals.length !== 1) throw new UsageError(`model check takes one FILE (got ${positionals.length})`)
  const file = positionals[0] as string
  const batch = wholeArg('batch', values.batch, 32, 1, 1_000_000)
  let bytes: Uint8Array
  try {
    bytes = await readFile(file)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new UsageError(`${file} does not exist; give the path of an .onnx file`)
    if (code === 'EISDIR') throw new UsageError(`${file} is a directory; give the path of an .onnx file`)
    throw new Error(`cannot read ${file}: ${(e as Error).message}`)
  }
  const { checkModel, formatModelReport, ModelCheckError } = await import('../../train/model/index.js')
  let report
  try {
    report = checkModel(bytes, { batch })
  } catch (e) {
    // A model kept in external files cannot be inspected: report its problems the same way.
    if (e instanceof ModelCheckError) {
      if (values.json === true) io.out(toJson({ supported: false, problems: e.problems }))
      io.err(`cyx model: ${new ModelCheckError(file, e.problems).message}`)
      return 1
    }
    throw new Error(`${file}: ${(e as Error).message}`)
  }
  io.out(values.json === true ? toJson(report) : `${file}\n${formatModelReport(report)}`)
  return report.supported ? 0 : 1
}

export const modelCommand: Command = verbCommand('model', USAGE, { check })
