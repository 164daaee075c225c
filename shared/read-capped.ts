// A response's body, read no further than a bound (the contract's, shared/constants.ts limits, for the
// page; the verify command's own): a huge or endless body (a broken CDN, a hostile server) must neither
// hang a tab nor fill a process's memory. The read stops at the first byte past the bound.

/** The body's bytes, or null when it is longer than maxBytes (the rest is never read). */
export async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const reader = response.body?.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader!.read()) {
    size += chunk.value.byteLength;
    if (size > maxBytes) {
      void reader!.cancel().catch(() => {});
      return null;
    }
    chunks.push(chunk.value);
  }
  return new Uint8Array(await new Blob(chunks).arrayBuffer());
}
