// Loaded into Portkey's process only (bench/portkey.ts). Portkey 1.15 adds
// its own headers to the upstream's response, which Node 20's fetch hands
// out with immutable headers ("TypeError: immutable", every request a 500):
// each response is rewrapped once, with the same status, headers and body
// stream, so nothing is added per streamed chunk.
const upstreamFetch = globalThis.fetch;
globalThis.fetch = async (...args) => {
  const res = await upstreamFetch(...args);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: new Headers(res.headers) });
};
