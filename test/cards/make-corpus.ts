/**
 * Writes the PNG part of the card corpus next to this file (run with
 * `npx tsx test/cards/make-corpus.ts`; the outputs are committed, so tests
 * read fixed bytes). The chunks are written by dev/png-encode.ts, not by the
 * worker's own PNG code.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { avatarPng, chunk, textChunk } from "../../dev/png-encode";

const here = new URL(".", import.meta.url).pathname;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), "utf8").toString("base64");
const write = (name: string, bytes: Uint8Array) => writeFileSync(join(here, name), bytes);
const exif = chunk("eXIf", Buffer.from("MM\0*\0\0\0\bGPS 51.5N 0.12W", "latin1"));
const comment = textChunk("Comment", "made by the corpus, with a location: 51.5N");

const mossback = {
  spec: "chara_card_v2",
  spec_version: "2.0",
  data: {
    name: "Mossback",
    description: "A swamp hermit who talks to frogs.",
    personality: "",
    scenario: "",
    first_mes: "Shh. The council is voting, {{user}}.",
    mes_example: "",
    creator_notes: "Swamp hermit, PNG with chara",
    system_prompt: "",
    post_history_instructions: "",
    alternate_greetings: [],
    tags: ["swamp", "Comedy"],
    creator: "corpus",
    character_version: "1",
    extensions: { chub: { full_path: "corpus/mossback" } },
    character_book: {
      extensions: {},
      entries: [
        { id: 0, keys: ["frog"], content: "The frogs elect a king every full moon.", enabled: true, insertion_order: 1, extensions: {} },
      ],
    },
  },
};

const quill = JSON.parse(readFileSync(join(here, "v3-nyx.json"), "utf8"));
quill.data.name = "Quill";
quill.data.description = "An archivist automaton who files memories.";
quill.data.first_mes = "State the memory you wish to file, {{user}}.";
quill.data.tags = ["archive", "robot"];

const emberV3 = { ...quill, data: { ...quill.data, name: "Ember", description: "A fire spirit (V3 data).", character_book: undefined } };
const emberV2 = { ...mossback, data: { ...mossback.data, name: "Ember (old V2)", description: "A fire spirit (V2 data)." } };

const chara = avatarPng(1, 64, [comment, textChunk("chara", b64(mossback)), exif]);
write("png-chara.png", chara);
write("png-ccv3.png", avatarPng(2, 64, [textChunk("ccv3", b64(quill))]));
write("png-both.png", avatarPng(3, 64, [textChunk("chara", b64(emberV2)), textChunk("ccv3", b64(emberV3))]));

// Malformed: base64 that is not, a file cut in half, a flipped byte under an unchanged CRC, a PNG with no card.
write("malformed-bad-base64.png", avatarPng(4, 16, [textChunk("chara", "!!! this is not base64 !!!")]));
write("malformed-truncated.png", chara.subarray(0, Math.floor(chara.length / 2)));
const flipped = Buffer.from(chara);
const at = flipped.indexOf("chara", 0, "latin1") + 12;
flipped[at] ^= 0x01;
write("malformed-crc.png", flipped);
write("malformed-no-card.png", avatarPng(5, 16));
