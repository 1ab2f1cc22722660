/**
 * The few pieces of the PostgreSQL wire protocol the development servers
 * share (`pglite-wire.ts`, `pg-pool.ts`): the codes a startup packet can
 * carry instead of a protocol version, and a message's framing. Pure.
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
