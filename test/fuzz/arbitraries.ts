/**
 * fast-check arbitraries for hostile input: strings (NUL, unpaired
 * surrogates, RTL overrides, 4-byte emoji, huge), JSON of any shape and
 * depth with hostile keys, raw bytes, and header values a client can send.
 */
import fc from "fast-check";

const NASTY = [
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfff",
  "\udc00\ud800",
  "\u202egnp.exe",
  "\u200b\u200d\ufeff",
  "😀👩‍👩‍👧‍👦",
  "𝕳𝖊𝖑𝖑𝖔",
  "'; drop table users; --",
  "%00%2e%2e%2f",
  "../../etc/passwd",
  "<script>alert(1)</script>",
  "{{user}} {{char}}",
  "\r\nSet-Cookie: x=1",
  "null",
  "",
  " ",
];

/** One hostile string. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NASTY), fc.string({ maxLength: 10 })).map(([a, b]) => b + a + b) },
  { weight: 1, arbitrary: fc.constantFrom(1000, 33_000, 70_000).map((n) => "x".repeat(n)) },
);

const hostileKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "a\u0000b", "\ud800"),
  fc.string({ maxLength: 8 }),
);

/** Any JSON value, nested up to about 40 levels, with hostile strings and keys. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** A deep chain, past any sensible nesting bound. */
export const deepJson: fc.Arbitrary<unknown> = fc.integer({ min: 30, max: 3000 }).map((depth) => {
  let v: unknown = "bottom";
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
});

/** A replacement for one field: a hostile string mostly, sometimes another type or shape. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileJson },
  { weight: 1, arbitrary: deepJson },
);

/** Header values a client can put on the wire (bytes 0x20–0x7e and latin-1, no CR/LF/NUL). */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
  fc.constantFrom("", " ", "é", "\u00ff\u00fe", "x".repeat(8000), "-1", "999999999999999999999", "0x10", "NaN"),
);

/** Raw bodies that are not JSON: garbage bytes (invalid UTF-8 included), form data, a truncated document. */
export const rawBody: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc
    .constantFrom('{"content": "unterminated', "content=hi&x=1", "[1,2,", "\u0000", "{}}", '{"a":1,"a":2}')
    .map((s) => new TextEncoder().encode(s)),
  fc.constantFrom(0xff, 0xc3, 0xed).map((b) => Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, b, 0xa0, 0x80, 0x22, 0x7d])),
);
