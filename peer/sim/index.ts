/** `cyx sim`: local networks for researchers. Today: the single-process preview (see preview.ts). */
export { runPreview } from './preview.js'
export type { PreviewOptions, PreviewReport } from './preview.js'
