/**
 * The page server's gate as small pure rules (peer/ui/guard.ts), table-tested: Host on the loopback,
 * Origin this server's own, the token exact. test/e2e/ui/server.test.ts drives the same gate over
 * real HTTP.
 */
import assert from 'node:assert/strict'
import { hostAllowed, originAllowed, tokenMatches } from '../../../peer/ui/index.js'

describe('ui: the gate rules', function () {
  it('Host must be this server on the loopback', function () {
    const table: Array<[string | undefined, boolean]> = [['127.0.0.1:8080', true], ['localhost:8080', true], ['LOCALHOST:8080', true], ['127.0.0.1:8081', false], ['evil.example:8080', false], ['127.0.0.1', false], [undefined, false]]
    for (const [host, ok] of table) assert.equal(hostAllowed(host, 8080), ok, String(host))
  })
  it('Origin, when sent, must be this server\'s own', function () {
    const table: Array<[string | undefined, boolean]> = [[undefined, true], ['http://127.0.0.1:8080', true], ['http://localhost:8080', true], ['https://127.0.0.1:8080', false], ['http://evil.example', false], ['null', false]]
    for (const [origin, ok] of table) assert.equal(originAllowed(origin, 8080), ok, String(origin))
  })
  it('the token must match exactly', function () {
    assert.equal(tokenMatches('abc', 'abc'), true)
    assert.equal(tokenMatches('abd', 'abc'), false)
    assert.equal(tokenMatches('ab', 'abc'), false)
    assert.equal(tokenMatches(null, 'abc'), false)
  })
})
