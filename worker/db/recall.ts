/**
 * Recall's fallback in PostgreSQL, used while the session object's own
 * index refills after a restart: the same `TermIndex` the object's FTS5
 * index offers (term statistics, postings, turns with the turns around them
 * and their date), so the lexical retriever ranks with the same BM25 either way.
 * Words are matched with the `english` text search configuration (stemmed,
 * like the object's Porter stems); every query is restricted to one
 * conversation of one (user, character) pair.
 */
import type postgres from "postgres";
import { dateMarker, dayOf, nearDates } from "../recall/dates";
import type { IndexedTurn, Key, TermIndex } from "../recall/index-types";
import { stemsOf } from "../recall/words";
import type { ChatRef } from "../session/types";
import { DATED } from "./schema";

/** Document frequencies are counted up to this many (beyond it a word is "everywhere" for ranking). */
const DF_CAP = 20_000;

/** The conversation's active rows, as `m`; $1 user, $2 character, $3 conversation key. */
const CONVERSATION = (m: string) =>
  `${m}.user_id = $1 and ${m}.character_id = $2 and ${m}.active and ${m}.session_id =
   (select s.id from chat_sessions s where s.user_id = $1 and s.character_id = $2 and s.chat_key = $3)`;

const STATS_SQL = `
  select (select count(*) from chat_messages m where ${CONVERSATION("m")})::int as docs,
         (select coalesce(avg(length(m.search)), 0) from chat_messages m where ${CONVERSATION("m")})::float8 as avg_length,
         coalesce((select json_object_agg(t.stem, (select count(*) from (select 1 from chat_messages m
            where ${CONVERSATION("m")} and m.search @@ plainto_tsquery('english', t.word) limit ${DF_CAP}) x))
          from unnest(string_to_array($4, ','), string_to_array($5, ',')) as t(stem, word)), '{}')::text as df`;

const POSTINGS_SQL = `
  select t.stem, array_to_string(array(select m.id::text from chat_messages m
     where ${CONVERSATION("m")} and m.id < $6::uuid and m.search @@ plainto_tsquery('english', t.word)
     order by m.id desc limit $7), ',') as ids
  from unnest(string_to_array($4, ','), string_to_array($5, ',')) as t(stem, word)`;

/**
 * Each turn with the date marker in force at it and the `$5` turns before and
 * after it (JSON, nearest first). The neighbours are read by the turn's own
 * `session_id` (its conversation, already restricted to the pair), so each is
 * a short walk of the (session_id, id) index whatever the planner knows.
 */
const NEAR = (dir: "<" | ">") => `
    (select coalesce(json_agg(x), '[]') from (select n.id::text as id, n.role, n.content, n.token_count as tokens, n.created_at as at
       from chat_messages n where n.session_id = m.session_id and n.active and n.id ${dir} m.id
      order by n.id ${dir === "<" ? "desc" : "asc"} limit $5) x)::text`;
const TURNS_SQL = `
  select m.id::text, m.role, m.content, m.token_count, m.created_at,
    (select d.content from chat_messages d where d.session_id = m.session_id and d.active and d.id <= m.id and d.content ~ ${DATED}
      order by d.id desc limit 1) as dated,
    ${NEAR("<")} as before, ${NEAR(">")} as after
  from chat_messages m where ${CONVERSATION("m")} and m.id = any(string_to_array($4, ',')::uuid[])`;

type TurnRow = {
  id: string;
  role: IndexedTurn["role"];
  content: string;
  token_count: number;
  created_at: Date;
  dated: string | null;
  /** JSON text of [{ id, role, content, tokens }], nearest first. */
  before: string;
  after: string;
};

type NearRow = { id: string; role: IndexedTurn["role"]; content: string; tokens: number; at: string };

const turnOf = (id: string, role: IndexedTurn["role"], content: string, tokens: number, date: string | null): IndexedTurn => ({
  key: id,
  id,
  role,
  content,
  stems: stemsOf(content),
  tokens,
  date,
});

/**
 * A list parameter as comma-separated text, split by the query: the
 * connection does not fetch types (Hyperdrive), so postgres.js cannot
 * serialise an array parameter. Elements are stems, words (letters and
 * digits) or UUIDs: never a comma.
 */
const pgList = (xs: readonly string[]): string => xs.join(",");

export function recallIndexPg(pg: postgres.Sql, ref: ChatRef): TermIndex {
  const conv = [ref.userId, ref.characterId, ref.chat];
  // Not prepared: a generic plan cannot see how rare each word is.
  const run = <T extends object>(q: string, params: unknown[]) =>
    pg.unsafe<T[]>(q, params as postgres.ParameterOrJSON<never>[], { prepare: false });
  return {
    async stats(terms) {
      const [r] = await run<{ docs: number; avg_length: number; df: string }>(STATS_SQL, [
        ...conv,
        pgList(terms.map((t) => t.stem)),
        pgList(terms.map((t) => t.word)),
      ]);
      const df = new Map(Object.entries(JSON.parse(r.df) as Record<string, number>).filter(([, n]) => n > 0));
      return { docs: Number(r.docs), avgLength: Number(r.avg_length), df };
    },
    async postings(terms, before, limit) {
      // Lists come back as text too (no types fetched, so no array parsing).
      const rows = await run<{ stem: string; ids: string }>(POSTINGS_SQL, [
        ...conv,
        pgList(terms.map((t) => t.stem)),
        pgList(terms.map((t) => t.word)),
        before,
        limit,
      ]);
      return new Map<string, Key[]>(rows.map((r) => [r.stem, r.ids ? r.ids.split(",") : []]));
    },
    async turns(keys, reach) {
      const ids = keys.filter((k): k is string => typeof k === "string");
      if (ids.length === 0) return [];
      const rows = await run<TurnRow>(TURNS_SQL, [...conv, pgList(ids), Math.max(0, reach)]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.flatMap((id) => {
        const r = byId.get(id);
        if (!r) return [];
        const at = new Date(r.created_at).getTime();
        const date = (r.dated && dateMarker(r.dated)) || dayOf(at);
        const turn = turnOf(r.id, r.role, r.content, r.token_count, date);
        if (reach <= 0) return [turn];
        const marker = r.dated ? dateMarker(r.dated) : null;
        const side = (json: string, sign: -1 | 1) => {
          const rows = JSON.parse(json) as NearRow[];
          const dates = nearDates(
            r.content,
            marker,
            sign,
            rows.map((n) => ({ content: n.content, at: new Date(n.at).getTime() })),
          );
          return rows.map((n, i) => ({ offset: sign * (i + 1), turn: turnOf(n.id, n.role, n.content, n.tokens, dates[i]) }));
        };
        return [{ ...turn, near: [...side(r.before, -1), ...side(r.after, 1)] }];
      });
    },
  };
}
