// Node 20 lacks Promise.withResolvers (added in Node 22), which @chainsafe/libp2p-noise,
// @chainsafe/libp2p-yamux, @libp2p/tcp, @libp2p/kad-dht, @libp2p/gossipsub and helia call.
// This file is loaded with `node --import` before anything else (see peer/cli/cyx.mjs and
// .mocharc.json), so every module sees the method. It is a no-op on Node 22+.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers() {
      let resolve
      let reject
      const promise = new this((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    }
  })
}
