/**
 * A Durable Object holding nothing but the session object's recall index
 * (`worker/session/recall-index.ts`) and the lexical retriever over it, for
 * `npm run bench:recall`: fill one conversation with N turns, then run a
 * query `repeat` times per request so the caller can time it from outside
 * (workerd's clock does not move while JavaScript runs).
 */
import { DurableObject } from "cloudflare:workers";
import { LEXICAL_DEFAULTS, lexicalRetriever } from "../../worker/recall/lexical";
import { buildQuery } from "../../worker/recall/query";
import { generating } from "../../worker/recall/rank";
import { createRecallIndex } from "../../worker/session/recall-index";
import { ensureSchema } from "../../worker/session/schema";
import type { StoredMessage } from "../../worker/session/types";

interface Body {
  rows?: StoredMessage[];
  query?: string;
  repeat?: number;
  /** noop: the request alone; postings: statistics and postings of the query's words; onehop: a whole recall without the second hop; recall: a whole recall. */
  mode?: "noop" | "postings" | "onehop" | "recall";
}

export class RecallBench extends DurableObject<Record<string, never>> {
  private index = createRecallIndex(this.ctx.storage.sql);

  constructor(ctx: DurableObjectState, env: Record<string, never>) {
    super(ctx, env);
    ensureSchema(ctx.storage.sql);
  }

  async fetch(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    const body = (await req.json()) as Body;
    if (path === "/add") {
      this.ctx.storage.transactionSync(() => {
        // As the session object does once a conversation outgrows its window: track it, then add its turns.
        this.index.track("main");
        for (const m of body.rows ?? []) this.index.add(m);
      });
      return Response.json({ ok: true });
    }
    if (path === "/merge") {
      // As the session object does once an index is filled: its b-trees merged into one.
      let steps = 0;
      for (let n = -64; this.index.tidy(n); n = 64) steps++;
      return Response.json({ steps });
    }
    const repeat = body.repeat ?? 1;
    // A view per recall, as the session object makes one: it keeps the rows it read until the recall ends.
    const retriever = () =>
      lexicalRetriever(this.index.forChat("main"), {
        ...LEXICAL_DEFAULTS,
        hopWeight: body.mode === "recall" ? LEXICAL_DEFAULTS.hopWeight : 0,
      });
    const request = { message: { id: "q", role: "user" as const, content: body.query ?? "" }, context: [], before: "~", limit: 64 };
    let found = 0;
    for (let i = 0; i < repeat; i++) {
      if (body.mode === "noop") continue;
      if (body.mode === "postings") {
        // The index's part alone: statistics and postings of the query's words.
        const source = this.index.forChat("main");
        const terms = buildQuery(request);
        const stats = await source.stats(terms);
        const gen = generating(terms, stats, LEXICAL_DEFAULTS.postingBudget);
        for (const keys of (await source.postings(gen, "~", LEXICAL_DEFAULTS.postingBudget, stats.df)).values()) found += keys.length;
      } else {
        found += (await retriever().recall(request)).length;
      }
    }
    return Response.json({ found });
  }
}

export default {
  fetch(req: Request, env: { BENCH: DurableObjectNamespace<RecallBench> }) {
    return env.BENCH.get(env.BENCH.idFromName("bench")).fetch(req);
  },
};
