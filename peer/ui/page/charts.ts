/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * A job's live curves: loss and test accuracy per epoch, one uPlot chart per job, kept across the
 * views' redraws (the same element is put back, its data set anew).
 */
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { JobView } from './state.js'

interface Chart { readonly el: HTMLElement, readonly plot: uPlot, points: number }
const charts = new Map<string, Chart>()

const width = (): number => Math.max(240, Math.min(520, window.innerWidth - 72))

function make (j: JobView): Chart {
  const el = document.createElement('figure')
  el.className = 'curve'
  const caption = document.createElement('figcaption')
  caption.textContent = `loss and test accuracy per epoch, ${j.name}`
  const plot = new uPlot({
    width: width(),
    height: 180,
    scales: { x: { time: false }, acc: { range: [0, 1] } },
    axes: [
      { label: 'epoch', incrs: [1, 2, 5, 10] },
      { label: 'loss', scale: 'y' },
      { label: 'test accuracy', scale: 'acc', side: 1, grid: { show: false }, values: (_u, v) => v.map((x) => `${Math.round(x * 100)} %`) }
    ],
    series: [
      { label: 'epoch' },
      { label: 'loss', scale: 'y', stroke: '#c2410c', width: 2, points: { show: true } },
      { label: 'test accuracy', scale: 'acc', stroke: '#1d4ed8', width: 2, points: { show: true }, value: (_u, v) => v === null ? '—' : `${(v * 100).toFixed(2)} %` }
    ]
  }, [[], [], []], el)
  el.append(caption)
  return { el, plot, points: -1 }
}

/** The job's chart element, its data brought up to date. */
export function curveChart (j: JobView): HTMLElement {
  let c = charts.get(j.name)
  if (c === undefined) { c = make(j); charts.set(j.name, c) }
  if (c.points !== j.metrics.length) {
    c.plot.setData([j.metrics.map((m) => m.epoch), j.metrics.map((m) => m.loss), j.metrics.map((m) => m.testAccuracy)])
    c.points = j.metrics.length
  }
  c.el.dataset.points = String(j.metrics.length)
  return c.el
}

window.addEventListener('resize', () => {
  for (const c of charts.values()) c.plot.setSize({ width: width(), height: 180 })
})
