/**
 * `npm run bench:recall`: the recall query in workerd at 10,000 and 100,000
 * turns stored in one conversation. A Durable Object holding only the
 * session object's recall index (`index-object.ts`) is filled with the
 * LoCoMo development split's lines, cycled (read at run time), and each of
 * the split's first questions is run `REPEAT` times in one request; its
 * time is the request's minus an empty request's with the same repeat
 * count, divided by it (workerd's clock stands still while JavaScript runs,
 * so the time is taken from outside). Prints p50 / p90 per stage.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { bundleForWorkerd } from "../../dev/build";
import { COMPATIBILITY_DATE } from "../../dev/stack";
import { countTokens } from "../../worker/context/tokens";
import { newId } from "../../worker/ids";
import type { StoredMessage } from "../../worker/session/types";
import { loadConversations, replayTurns } from "../memory/locomo";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SIZES = (process.env.BENCH_RECALL_SIZES ?? "10000,100000").split(",").map(Number);
const QUESTIONS = Number(process.env.BENCH_RECALL_QUESTIONS ?? 100);
const REPEAT = 20;
const BATCH = 2_000;
const MODES = ["postings", "onehop", "recall"] as const;

const convs = loadConversations(resolve(root, process.env.LOCOMO_DIR ?? "../shared/data/locomo"));
const lines = convs.flatMap((c) => replayTurns(c).flatMap((t) => [t.user, t.reply ?? "-"]));
const questions = convs.flatMap((c) => c.qa.map((q) => q.question)).slice(0, QUESTIONS);
const counted = new Map<string, number>();
const tokens = (s: string) => counted.get(s) ?? counted.set(s, countTokens(s)).get(s)!;

const bundle = await bundleForWorkerd(resolve(root, "bench/recall/index-object.ts"), resolve(root, ".build/recall-bench.js"));

const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const out: string[] = ["| stored | stage | p50 ms | p90 ms |", "| --: | --- | --: | --: |"];
for (const size of SIZES) {
  const mf = new Miniflare({
    modules: true,
    scriptPath: bundle,
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: ["nodejs_compat"],
    durableObjects: { BENCH: { className: "RecallBench", useSQLite: true } },
  });
  const url = (await mf.ready).toString();
  const post = async (path: string, body: unknown) => {
    const res = await mf.dispatchFetch(new URL(path, url), { method: "POST", body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  try {
    const start = Date.UTC(2023, 0, 1);
    for (let from = 0; from < size; from += BATCH) {
      const rows: StoredMessage[] = [];
      for (let i = from; i < Math.min(size, from + BATCH); i++) {
        const content = lines[i % lines.length];
        const at = start + i * 1000;
        rows.push({
          id: newId(at),
          chat: "main",
          role: i % 2 === 0 ? "user" : "assistant",
          content,
          status: "complete",
          tokens: tokens(content),
          clientId: null,
          parentId: null,
          active: true,
          createdAt: at,
        });
      }
      await post("/add", { rows });
    }
    const t0 = performance.now();
    const { steps } = (await post("/merge", {})) as { steps: number };
    console.error(
      `[bench:recall] ${size} stored: index merged into one b-tree in ${steps} steps, ${(performance.now() - t0).toFixed(0)} ms`,
    );
    const timed = async (body: object) => {
      const t0 = performance.now();
      await post("/q", { ...body, repeat: REPEAT });
      return performance.now() - t0;
    };
    for (const q of questions.slice(0, 5)) for (const mode of MODES) await timed({ query: q, mode });
    const per: Record<string, number[]> = Object.fromEntries(MODES.map((m) => [m, []]));
    for (const q of questions) {
      const base = await timed({ query: q, mode: "noop" });
      for (const mode of MODES) per[mode].push(Math.max(0, (await timed({ query: q, mode })) - base) / REPEAT);
    }
    for (const mode of MODES)
      out.push(`| ${size.toLocaleString("en-US")} | ${mode} | ${p(per[mode], 0.5).toFixed(3)} | ${p(per[mode], 0.9).toFixed(3)} |`);
    console.error(`[bench:recall] ${size} stored: done`);
  } finally {
    await mf.dispose();
  }
}
console.log(
  `## npm run bench:recall — the recall query in workerd, ${questions.length} LoCoMo questions, ${REPEAT} runs each\n\n${out.join("\n")}`,
);
console.log(
  "\npostings: statistics and the candidate words' postings (FTS5); onehop: a whole recall without the second hop (postings, candidates with their exchange and date, BM25); recall: with the second hop.",
);
