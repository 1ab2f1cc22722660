/**
 * The few pieces of the PostgreSQL wire protocol the development servers
 * share (`pglite-wire.ts`, `pg-pool.ts`): the codes a startup packet can
 * carry instead of a protocol version, a message's framing, and a scanner
 * that follows the messages of a stream across chunks. Pure.
 */

export const SSL_REQUEST = 80877103;
export const GSS_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;

/** A message: its type byte, its length (itself included), its body. */
export function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const READY = 0x5a; // "Z"

/**
 * Follows one direction of a wire stream across chunks: `onType` sees each
 * message's type and where it starts in the chunk (returning false stops the
 * scan there: the offset is returned), `onReady` each ReadyForQuery's status.
 */
export function wireScanner(onType: (type: number) => boolean, onReady: (status: number) => void = () => {}) {
  let lengthLeft = 0;
  let length = 0;
  let bodyLeft = 0;
  let type = 0;
  return (chunk: Buffer): number => {
    for (let i = 0; i < chunk.length; ) {
      if (bodyLeft > 0) {
        if (type === READY) onReady(chunk[i]);
        const n = Math.min(bodyLeft, chunk.length - i);
        bodyLeft -= n;
        i += n;
        type = 0;
      } else if (lengthLeft > 0) {
        length = length * 256 + chunk[i++];
        if (--lengthLeft === 0) bodyLeft = length - 4;
      } else {
        type = chunk[i];
        if (!onType(type)) return i;
        lengthLeft = 4;
        length = 0;
        i++;
      }
    }
    return -1;
  };
}
