/**
 * The live page in a real browser: Debian's chromium (installed by scripts/setup.sh) driven by
 * playwright-core against `cyx sim --ui` run as a user runs it (its own process, a small one-job
 * network in one process so that it fits a couple of minutes on two cores). The page must show the
 * job paid with one curve point per epoch, and exactly the balances the sim's JSON reports; the
 * views are photographed at 1280×800 and at phone width into test-artifacts/ui/ (and, with
 * CYX_UPDATE_SCREENSHOT=1, into docs/ui.png for the README). A job goes in through the Submit
 * form, and the Manage view rates its worker and pauses and prices a worker.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { logger } from '@libp2p/logger'
import { chromium, type Browser, type Page } from 'playwright-core'
import { formatTokens } from '../../../protocols/index.js'

const log = logger('cyx:test:ui')
const CHROMIUM = '/usr/lib/chromium/chromium'
const ARTIFACTS = 'test-artifacts/ui'
const EPOCHS = 3

interface Report { ok: boolean, checks: Array<{ name: string, ok: boolean }>, balances: Record<string, { after: string }>, jobs: Array<{ name: string, escrowState: string, training: { epochs: number } }> }

describe('ui: cyx sim --ui in a real browser', function () {
  this.timeout(300_000)
  let sim: ChildProcess | undefined
  let browser: Browser | undefined
  let page: Page
  let url: string
  let report: Promise<Report>

  before(async function () {
    assert.ok(existsSync(CHROMIUM), `no chromium at ${CHROMIUM}: run scripts/setup.sh (it installs Debian's chromium)`)
    mkdirSync(ARTIFACTS, { recursive: true })
    const child = spawn(process.execPath, ['peer/cli/cyx.mjs', 'sim', '--dataset', 'spirals', '--workers', '2', '--epochs', String(EPOCHS), '--seed', '5', '--in-process', '--json', '--ui', '--linger', '600'], { stdio: ['ignore', 'pipe', 'pipe'] })
    sim = child
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    // The report is printed before the linger: whole once it parses.
    report = new Promise((resolve, reject) => {
      child.stdout.on('data', (c: string) => {
        stdout += c
        try { resolve(JSON.parse(stdout) as Report) } catch { /* not all of it yet */ }
      })
      child.once('exit', (code) => { reject(new Error(`cyx sim exited (${code}) before its report: ${stderr.slice(-2000)}`)) })
    })
    // Awaited by the test that needs it; until then a failure is only logged.
    report.catch((err: unknown) => { log('the sim ended without a report: %e', err) })
    url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (c: string) => {
        stderr += c
        const m = /^ui: (http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)$/m.exec(stderr)
        if (m !== null) resolve(m[1]!)
      })
      child.once('exit', (code) => { reject(new Error(`cyx sim exited (${code}) before printing its page: ${stderr.slice(-2000)}`)) })
    })
    browser = await chromium.launch({ executablePath: CHROMIUM })
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  })

  after(async function () {
    await browser?.close()
    if (sim !== undefined && sim.exitCode === null) {
      const exited = new Promise((resolve) => sim!.once('exit', resolve))
      sim.kill('SIGINT')
      await exited
    }
  })

  it('prints the address with its token on stderr, and the page refuses a wrong token', async function () {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{43}$/)
    const wrong = await page.request.get(new URL('/api/events?token=wrong', url).toString())
    assert.equal(wrong.status(), 401)
  })

  it('shows the job paid, with one curve point per epoch, and the balances of the sim\'s JSON exactly', async function () {
    const errors: string[] = []
    page.on('pageerror', (e) => { errors.push(e.message) })
    await page.goto(url)
    const r = await report
    assert.equal(r.ok, true, `the sim's checks failed: ${JSON.stringify(r.checks.filter((c) => !c.ok))}`)
    // Every job of the report: paid on the page, its curve one point per epoch.
    for (const j of r.jobs) {
      const card = page.locator(`article[data-job="${j.name}"]`)
      await card.and(page.locator('[data-status="paid"]')).waitFor({ timeout: 120_000 })
      assert.equal(await card.locator('[data-role="status"]').textContent(), 'paid')
      assert.equal(await card.getAttribute('data-points'), String(j.training.epochs))
      assert.equal(await card.locator('figure.curve').getAttribute('data-points'), String(j.training.epochs))
      assert.equal(await card.locator('figure.curve canvas').count(), 1)
      assert.match(await card.textContent() ?? '', /escrow\s*\S+ completed/)
    }
    await page.waitForFunction(() => document.body.dataset.ended === 'true', null, { timeout: 60_000 })
    await page.screenshot({ path: `${ARTIFACTS}/jobs-1280x800.png`, fullPage: true })
    if (process.env.CYX_UPDATE_SCREENSHOT === '1') await page.screenshot({ path: 'docs/ui.png' })

    // Money: each balance the sim reconciled, as base units and as exact decimals.
    await page.getByRole('tab', { name: 'Money' }).click()
    const shown = await page.locator('[data-balance-of]').evaluateAll((cells) => cells.map((c) => [c.getAttribute('data-balance-of'), c.getAttribute('data-base-units'), c.textContent]))
    const byName = new Map(shown.map(([name, units, text]) => [name, { units, text }]))
    assert.deepEqual([...byName.keys()].sort(), Object.keys(r.balances).sort())
    for (const [name, b] of Object.entries(r.balances)) {
      assert.equal(byName.get(name)?.units, b.after, name)
      assert.equal(byName.get(name)?.text, `${formatTokens(BigInt(b.after))} CYXWIZ`, name)
    }
    await page.screenshot({ path: `${ARTIFACTS}/money-1280x800.png`, fullPage: true })
    assert.deepEqual(errors, [])
  })

  it('is usable from the keyboard and at phone width', async function () {
    // The tabs: arrow keys move between the views.
    await page.getByRole('tab', { name: 'Jobs' }).focus()
    await page.keyboard.press('ArrowRight')
    assert.equal(await page.getByRole('tab', { name: 'Money' }).getAttribute('aria-selected'), 'true')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    assert.equal(await page.getByRole('tab', { name: 'Auctions' }).getAttribute('aria-selected'), 'true')
    assert.match(await page.locator('#panel').textContent() ?? '', /awarded to worker-\d/)
    await page.screenshot({ path: `${ARTIFACTS}/auctions-1280x800.png`, fullPage: true })
    // The sim offers actions: the Submit and Manage tabs come last.
    await page.keyboard.press('ArrowRight')
    assert.equal(await page.getByRole('tab', { name: 'Submit' }).getAttribute('aria-selected'), 'true')
    await page.keyboard.press('ArrowRight')
    assert.equal(await page.getByRole('tab', { name: 'Manage' }).getAttribute('aria-selected'), 'true')
    await page.keyboard.press('ArrowRight')
    assert.equal(await page.getByRole('tab', { name: 'Jobs' }).getAttribute('aria-selected'), 'true')
    await page.keyboard.press('End')
    assert.equal(await page.getByRole('tab', { name: 'Manage' }).getAttribute('aria-selected'), 'true')
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('ArrowLeft')
    assert.equal(await page.getByRole('tab', { name: 'Network' }).getAttribute('aria-selected'), 'true')
    assert.match(await page.locator('#panel').textContent() ?? '', /worker-1/)
    // Each peer's libp2p connections, as its host reports them: on one machine, all direct.
    await page.locator('#panel tr').filter({ hasText: 'direct' }).first().waitFor({ timeout: 10_000 })
    assert.match(await page.locator('#panel').textContent() ?? '', /\d+ \(0 relayed, \d+ direct\)/)
    await page.keyboard.press('Home')
    assert.equal(await page.getByRole('tab', { name: 'Jobs' }).getAttribute('aria-selected'), 'true')
    // A phone's width: nothing wider than the window but the scrolling tables.
    await page.setViewportSize({ width: 390, height: 844 })
    // The charts follow the window's width on its resize event, within a frame. Waited on the
    // uPlot element itself: its block-level figure fits the window at once, the chart only after.
    await page.waitForFunction(() => [...document.querySelectorAll('figure.curve .uplot')].every((f) => f.getBoundingClientRect().right <= window.innerWidth), null, { timeout: 5_000 })
    const overflow = await page.evaluate(() => {
      const wide = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && e.closest('.scroll') === null)
      return { by: document.documentElement.scrollWidth - window.innerWidth, what: wide.slice(0, 5).map((e) => `${e.tagName}.${e.className}`) }
    })
    assert.ok(overflow.by <= 0, `the page is ${overflow.by} px wider than a phone: ${overflow.what.join(', ')}`)
    await page.screenshot({ path: `${ARTIFACTS}/jobs-390.png`, fullPage: true })
  })

  it('submits a job through the page\'s form: the CLI\'s checks, a quote, then confirm; the job is paid', async function () {
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.getByRole('tab', { name: 'Submit' }).click()
    const form = page.getByRole('form', { name: 'submit a job' })
    await form.getByLabel('dataset', { exact: true }).selectOption('spirals')
    await form.getByLabel('epochs', { exact: true }).fill('2')
    // A bad amount: `cyx client submit`'s own error, and nothing submitted.
    await form.getByLabel('max price (CYXWIZ)').fill('ten')
    await form.getByRole('button', { name: 'Check and quote' }).click()
    await form.getByRole('alert').filter({ hasText: '--max-price must be a token amount' }).waitFor({ timeout: 10_000 })
    assert.equal(await form.getByRole('button', { name: 'Confirm and submit' }).isDisabled(), true)
    await form.getByLabel('max price (CYXWIZ)').fill('10')
    await form.getByRole('button', { name: 'Check and quote' }).click()
    const quote = form.locator('[data-role="quote"]')
    await quote.waitFor({ timeout: 10_000 })
    assert.match(await quote.textContent() ?? '', /spirals, optimistic tier, 2 epochs: the escrow holds at most 10 CYXWIZ/)
    await form.getByRole('button', { name: 'Confirm and submit' }).click()
    await form.locator('[data-role="submitted"]').filter({ hasText: 'page-1' }).waitFor({ timeout: 10_000 })
    await page.screenshot({ path: `${ARTIFACTS}/submit-1280x800.png`, fullPage: true })
    await page.getByRole('tab', { name: 'Jobs' }).click()
    const card = page.locator('article[data-job="page-1"]')
    await card.and(page.locator('[data-status="paid"]')).waitFor({ timeout: 150_000 })
    assert.equal(await card.getAttribute('data-points'), '2')
    assert.match(await card.textContent() ?? '', /submitted from this page/)
    await page.screenshot({ path: `${ARTIFACTS}/jobs-after-submit-1280x800.png`, fullPage: true })
  })

  it('manages from the page: rates the paid job once, pauses a worker and sets its price', async function () {
    await page.getByRole('tab', { name: 'Manage' }).click()
    const jobCard = page.getByRole('region', { name: 'a job' })
    await jobCard.getByLabel('job', { exact: true }).selectOption('page-1')
    assert.equal(await jobCard.getByRole('button', { name: 'Cancel the job' }).isDisabled(), true, 'a paid job cannot be cancelled')
    await jobCard.getByLabel('stars').selectOption('5')
    await jobCard.getByRole('button', { name: 'Rate the worker' }).click()
    const result = page.locator('.manage .result')
    await result.locator('[data-role="done"]').filter({ hasText: 'page-1: rated 5 stars' }).waitFor({ timeout: 20_000 })
    // Again: the client role's own refusal, shown as it is.
    await jobCard.getByRole('button', { name: 'Rate the worker' }).click()
    await result.getByRole('alert').filter({ hasText: 'already rated' }).waitFor({ timeout: 20_000 })

    const workerCard = page.getByRole('region', { name: 'a worker' })
    await workerCard.getByLabel('worker', { exact: true }).selectOption('worker-1')
    await workerCard.getByRole('button', { name: 'Pause bidding' }).click()
    await result.locator('[data-role="done"]').filter({ hasText: 'worker-1: paused' }).waitFor({ timeout: 20_000 })
    // The worker's own event comes back over the feed: the page now offers to resume it.
    await workerCard.getByRole('button', { name: 'Resume bidding' }).waitFor({ timeout: 10_000 })
    await workerCard.getByLabel('price per hour (CYXWIZ)').fill('ten')
    await workerCard.getByRole('button', { name: 'Set the price' }).click()
    await result.getByRole('alert').filter({ hasText: 'is not a token amount' }).waitFor({ timeout: 20_000 })
    await workerCard.getByLabel('price per hour (CYXWIZ)').fill('75')
    await workerCard.getByRole('button', { name: 'Set the price' }).click()
    await result.locator('[data-role="done"]').filter({ hasText: 'worker-1: now 75 CYXWIZ per hour' }).waitFor({ timeout: 20_000 })
    await workerCard.getByRole('button', { name: 'Resume bidding' }).click()
    await workerCard.getByRole('button', { name: 'Pause bidding' }).waitFor({ timeout: 10_000 })
    await page.screenshot({ path: `${ARTIFACTS}/manage-1280x800.png`, fullPage: true })
    await page.getByRole('tab', { name: 'Network' }).click()
    assert.match(await page.locator('#panel tr').filter({ hasText: 'worker-1' }).first().textContent() ?? '', /75 CYXWIZ\/h/)
  })

  it('checks your own model with cyx model check\'s check before quoting it, and says why a file is not a model', async function () {
    await page.getByRole('tab', { name: 'Submit' }).click()
    const form = page.getByRole('form', { name: 'submit a job' })
    await form.getByLabel('dataset', { exact: true }).selectOption('own')
    await form.getByLabel('epochs', { exact: true }).fill('1')
    await form.getByLabel('ONNX model').setInputFiles('package.json')
    await form.getByLabel('data file').setInputFiles('test/fixtures/byom/mnist.npz')
    await form.getByRole('button', { name: 'Check and quote' }).click()
    await form.getByRole('alert').filter({ hasText: 'not an ONNX model' }).waitFor({ timeout: 10_000 })
    await form.getByLabel('ONNX model').setInputFiles('test/fixtures/byom/cnn.onnx')
    await form.getByRole('button', { name: 'Check and quote' }).click()
    const quote = form.locator('[data-role="quote"]')
    await quote.waitFor({ timeout: 20_000 })
    assert.match(await form.locator('pre.ok').textContent() ?? '', /Conv/)
    assert.match(await quote.textContent() ?? '', /client, optimistic tier, 1 epochs/)
    assert.equal(await form.getByRole('button', { name: 'Confirm and submit' }).isEnabled(), true)
    await page.screenshot({ path: `${ARTIFACTS}/model-check-1280x800.png`, fullPage: true })
  })
})
