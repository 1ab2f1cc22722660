/**
 * The session object's own index of its conversations' active history, so
 * recall on a hot session needs no network round trip: each turn's stems
 * (`worker/recall/words.ts`) in an FTS5 table over `recall_docs`, each
 * conversation's document frequencies in `recall_df` (so a query knows
 * which of its words are rare before reading any posting), and row ids
 * grouped by conversation (slot << 40 | sequence), so a conversation's
 * postings are one rowid range and no other conversation's turn is ever
 * read. PostgreSQL stays the system of record and answers recall while this
 * index is being filled after a restart. A conversation is indexed from the
 * moment it is `track`ed (when it first outgrows its window); until then,
 * and until any conversation is, the index's tables do not even exist.
 */
import { dateMarker, dayOf } from "../recall/dates";
import type { IndexedTurn, Key, TermIndex } from "../recall/index-types";
import { stemsOf } from "../recall/words";
import { RECALL_SCHEMA, type Row, rowsOf } from "./schema";
import type { StoredMessage } from "./types";

const SLOT_BITS = 2 ** 40;

/**
 * Turns by row id (bound as one JSON array) with the date marker in force at
 * each, and with `near`, the row ids of the turns before and after it
 * (nearest first, comma-separated; how many is bound twice, before the ids).
 * Read as arrays in this column order (`Col`): recall reads a few hundred of
 * these a turn, and naming each row's fields cost more than the query. Two
 * fixed statements: workerd keeps every distinct statement an object runs
 * compiled for the object's life, and a `?` per id (a statement for each
 * length of the list) cost memory and a compile for every new length.
 */
const TURN_SQL = (near: boolean) => {
  const side = (dir: "<" | ">") =>
    `(SELECT group_concat(rid) FROM (SELECT n.rid FROM recall_docs n WHERE n.chat = d.chat AND n.mid ${dir} d.mid
       ORDER BY n.mid ${dir === "<" ? "DESC" : "ASC"} LIMIT ?))`;
  return `
  SELECT d.rid, d.mid, d.role, d.content, d.stems, d.tokens, d.at,
    (SELECT m.marker FROM recall_docs m WHERE m.chat = d.chat AND m.marker IS NOT NULL AND m.mid <= d.mid ORDER BY m.mid DESC LIMIT 1) AS date${near ? `, ${side("<")} AS before, ${side(">")} AS after` : ""}
  FROM recall_docs d WHERE d.rid IN (SELECT value FROM json_each(?))`;
};
const TURNS_NEAR = TURN_SQL(true);
const TURNS_ALONE = TURN_SQL(false);

/** Positions of `TURN_SQL`'s columns. */
const Col = { Rid: 0, Mid: 1, Role: 2, Content: 3, Stems: 4, Tokens: 5, At: 6, Date: 7, Before: 8, After: 9 } as const;

function toTurn(r: SqlStorageValue[]): IndexedTurn {
  const stems = String(r[Col.Stems]);
  return {
    key: Number(r[Col.Rid]),
    id: String(r[Col.Mid]),
    role: r[Col.Role] as IndexedTurn["role"],
    content: String(r[Col.Content]),
    stems: stems ? stems.split(" ") : [],
    tokens: Number(r[Col.Tokens]),
    date: r[Col.Date] === null ? dayOf(Number(r[Col.At])) : String(r[Col.Date]),
  };
}

/** The neighbours' row ids of a row read with `TURNS_NEAR`, with their offsets. */
function nearKeys(r: SqlStorageValue[]): { offset: number; rid: number }[] {
  const side = (list: SqlStorageValue | undefined, sign: number) =>
    list === null || list === undefined
      ? []
      : String(list)
          .split(",")
          .map((rid, i) => ({ offset: sign * (i + 1), rid: Number(rid) }));
  return [...side(r[Col.Before], -1), ...side(r[Col.After], 1)];
}

export function createRecallIndex(sql: SqlStorage) {
  const rows = rowsOf(sql);
  const exists = () => rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'recall_chats'").length > 0;
  /** Whether the tables exist (read once, and again after the storage was emptied). */
  let made = exists();

  /** The conversation's slot, made on first use. */
  function slotOf(chat: string, create: boolean): number | null {
    const r = rows("SELECT slot FROM recall_chats WHERE chat = ?", chat)[0];
    if (r || !create) return r ? Number(r.slot) : null;
    const next = Number(rows("SELECT coalesce(max(slot), 0) + 1 AS s FROM recall_chats")[0].s);
    sql.exec("INSERT INTO recall_chats (chat, slot) VALUES (?, ?)", chat, next);
    return next;
  }

  function drop(r: Row): void {
    const stems = String(r.stems);
    const distinct = new Set(stems ? stems.split(" ") : []);
    sql.exec("INSERT INTO recall_index (recall_index, rowid, stems) VALUES ('delete', ?, ?)", r.rid, stems);
    sql.exec("DELETE FROM recall_docs WHERE rid = ?", r.rid);
    sql.exec(
      "UPDATE recall_df SET df = df - 1 WHERE chat = ? AND stem IN (SELECT value FROM json_each(?))",
      r.chat,
      JSON.stringify([...distinct]),
    );
    sql.exec("UPDATE recall_chats SET docs = docs - 1, length = length - ? WHERE chat = ?", stems ? stems.split(" ").length : 0, r.chat);
  }

  /** One conversation's index for one recall: what it reads is kept until the recall ends (its two hops share many turns). */
  function forChat(chat: string): TermIndex {
    let slot: number | null | undefined;
    const slotNow = () => (slot === undefined ? (slot = slotOf(chat, false)) : slot);
    const turnsRead = new Map<number, IndexedTurn>();
    /** Row ids of the turns around those read with their neighbours, at `nearReach`. */
    const nearRead = new Map<number, { offset: number; rid: number }[]>();
    let nearReach = -1;
    return {
      async stats(terms) {
        const c = rows("SELECT docs, length FROM recall_chats WHERE chat = ?", chat)[0];
        const docs = c ? Number(c.docs) : 0;
        const df = new Map<string, number>();
        if (terms.length > 0 && docs > 0) {
          for (const r of rows(
            "SELECT stem, df FROM recall_df WHERE chat = ? AND stem IN (SELECT value FROM json_each(?)) AND df > 0",
            chat,
            JSON.stringify(terms.map((t) => t.stem)),
          ))
            df.set(String(r.stem), Number(r.df));
        }
        return { docs, avgLength: docs > 0 ? Number(c.length) / docs : 0, df };
      },
      async postings(terms, _before, limit, df) {
        const out = new Map<string, Key[]>();
        const slot = slotNow();
        if (slot === null) return out;
        const range = [slot * SLOT_BITS, (slot + 1) * SLOT_BITS - 1];
        for (const t of terms) {
          // A word known to fit the limit is read whole, in the index's own order (reading newest first costs FTS5 more).
          const whole = (df?.get(t.stem) ?? Number.POSITIVE_INFINITY) <= limit;
          // One row with every key: a row each costs more to cross into JavaScript than the list to split.
          const { keys } = sql
            .exec(
              whole
                ? "SELECT group_concat(rowid) AS keys FROM (SELECT rowid FROM recall_index WHERE recall_index MATCH ? AND rowid BETWEEN ? AND ? ORDER BY rowid)"
                : "SELECT group_concat(rowid) AS keys FROM (SELECT rowid FROM recall_index WHERE recall_index MATCH ? AND rowid BETWEEN ? AND ? ORDER BY rowid DESC LIMIT ?)",
              `"${t.stem}"`,
              ...range,
              ...(whole ? [] : [limit]),
            )
            .one();
          const list = keys ? String(keys).split(",").map(Number) : [];
          out.set(t.stem, whole ? list.reverse() : list);
        }
        return out;
      },
      async turns(keys, reach) {
        const ids = keys.filter((k): k is number => typeof k === "number");
        const slot = slotNow();
        if (ids.length === 0 || slot === null) return [];
        const mine = (rid: number) => rid >= slot * SLOT_BITS && rid < (slot + 1) * SLOT_BITS;
        // By row id alone (an index on the conversation would tempt the planner into a scan); the ids are this conversation's range.
        const read = (keys: number[], r: number) =>
          keys.length === 0
            ? []
            : [...(r > 0 ? sql.exec(TURNS_NEAR, r, r, JSON.stringify(keys)) : sql.exec(TURNS_ALONE, JSON.stringify(keys))).raw()];
        const asked = ids.filter(mine);
        if (reach !== nearReach) {
          nearRead.clear();
          nearReach = reach;
        }
        for (const r of read(
          asked.filter((k) => (reach > 0 ? !nearRead.has(k) : !turnsRead.has(k))),
          reach,
        )) {
          const k = Number(r[Col.Rid]);
          turnsRead.set(k, toTurn(r));
          if (reach > 0) nearRead.set(k, nearKeys(r));
        }
        const want = new Set(asked.flatMap((k) => nearRead.get(k) ?? []).map((n) => n.rid));
        for (const r of read(
          [...want].filter((k) => mine(k) && !turnsRead.has(k)),
          0,
        ))
          turnsRead.set(Number(r[Col.Rid]), toTurn(r));
        return asked.flatMap((k) => {
          const t = turnsRead.get(k);
          if (!t) return [];
          if (reach <= 0) return [t];
          const near = (nearRead.get(k) ?? []).flatMap((n) => {
            const turn = turnsRead.get(n.rid);
            return turn ? [{ offset: n.offset, turn }] : [];
          });
          return [{ ...t, near }];
        });
      },
    };
  }

  return {
    /** Indexes `chat` from now on (its earlier turns are the caller's to add), making the tables on first use. */
    track(chat: string): void {
      if (!made) {
        sql.exec(RECALL_SCHEMA);
        made = true;
      }
      slotOf(chat, true);
    },
    /** The storage was emptied: the tables are gone with it. */
    reset(): void {
      made = exists();
    },
    /** Adds a turn of a tracked conversation (others are left out until they are tracked). */
    add(m: StoredMessage): void {
      if (!made || !m.active || !m.content) return;
      const slot = slotOf(m.chat, false);
      if (slot === null) return;
      const c = rows("UPDATE recall_chats SET seq = seq + 1 WHERE chat = ? RETURNING seq", m.chat)[0];
      const rid = slot * SLOT_BITS + Number(c.seq);
      const stems = stemsOf(m.content);
      const text = stems.join(" ");
      sql.exec(
        "INSERT INTO recall_docs (rid, chat, mid, role, content, stems, tokens, at, marker) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ...[rid, m.chat, m.id, m.role, m.content, text, m.tokens, m.createdAt, dateMarker(m.content)],
      );
      sql.exec("INSERT INTO recall_index (rowid, stems) VALUES (?, ?)", rid, text);
      // One statement for all the turn's distinct stems (a statement each cost most of a turn's indexing).
      sql.exec(
        "INSERT INTO recall_df (chat, stem, df) SELECT ?, value, 1 FROM json_each(?) WHERE true ON CONFLICT (chat, stem) DO UPDATE SET df = df + 1",
        m.chat,
        JSON.stringify([...new Set(stems)]),
      );
      sql.exec("UPDATE recall_chats SET docs = docs + 1, length = length + ? WHERE chat = ?", stems.length, m.chat);
    },
    /** Whether message `id` of `chat` is missing: its conversation is indexed and it has no entry. */
    needs(chat: string, id: string): boolean {
      if (!made) return false;
      return (
        rows("SELECT 1 FROM recall_chats WHERE chat = ? AND NOT EXISTS (SELECT 1 FROM recall_docs WHERE mid = ?)", chat, id).length > 0
      );
    },
    remove(id: string): void {
      if (!made) return;
      for (const r of rows("SELECT rid, chat, stems FROM recall_docs WHERE mid = ?", id)) drop(r);
    },
    removeFrom(chat: string, fromId: string, inclusive: boolean): void {
      if (!made) return;
      for (const r of rows(`SELECT rid, chat, stems FROM recall_docs WHERE chat = ? AND mid ${inclusive ? ">=" : ">"} ?`, chat, fromId))
        drop(r);
    },
    removeChat(chat: string): void {
      if (!made) return;
      for (const r of rows("SELECT rid, stems FROM recall_docs WHERE chat = ?", chat))
        sql.exec("INSERT INTO recall_index (recall_index, rowid, stems) VALUES ('delete', ?, ?)", r.rid, r.stems);
      sql.exec("DELETE FROM recall_docs WHERE chat = ?", chat);
      sql.exec("DELETE FROM recall_df WHERE chat = ?", chat);
      sql.exec("DELETE FROM recall_chats WHERE chat = ?", chat);
    },
    /**
     * A step of merging the index's b-trees, about `pages` pages written (a
     * negative count merges towards a single b-tree). Every write adds a
     * small b-tree and a word is looked up in each one, so recall slows as
     * they pile up. Returns whether there was anything to merge.
     */
    tidy(pages: number): boolean {
      if (!made) return false;
      const changes = () => Number([...sql.exec("SELECT total_changes()").raw()][0][0]);
      const before = changes();
      sql.exec("INSERT INTO recall_index (recall_index, rank) VALUES ('merge', ?)", pages);
      // The command counts as one change; a merge writes more.
      return changes() - before > 1;
    },
    /** The index of one conversation, as the retriever reads it. */
    forChat,
  };
}

export type RecallIndex = ReturnType<typeof createRecallIndex>;
