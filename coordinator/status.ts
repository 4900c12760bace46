/**
 * Reading a coordinator's status from its data dir: the serving process rewrites `status.json`
 * there (atomically) whenever something changed, so an operator's `cyx coordinator status` needs
 * neither the network nor the index (which the running process holds locked).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { STATUS_FILE, type CoordinatorStatus } from './service.js'

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The last status the coordinator in `dir` wrote; `running` is corrected if its process is gone. */
export async function readStatus (dir: string): Promise<CoordinatorStatus | undefined> {
  let text: string
  try {
    text = await readFile(join(dir, STATUS_FILE), 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
  const s = JSON.parse(text) as CoordinatorStatus
  return s.running && !alive(s.pid) ? { ...s, running: false } : s
}
