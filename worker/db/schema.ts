/**
 * The PostgreSQL schema (system of record). drizzle-kit generates the
 * migrations in drizzle/ from this file.
 */
import { type SQL, sql } from "drizzle-orm";
import { boolean, customType, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/** A message that opens with a bracketed date marker (`worker/recall/dates.ts`); the partial index `chat_messages_dated` holds exactly these. */
export const DATED = String.raw`'^\s*\[[^]\n]*[0-9]'`;

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });
const now = (name: string) => timestamp(name, { withTimezone: true, mode: "date" }).notNull().defaultNow();

/**
 * Plans: the per-user limits the LLM gateway enforces, as data. The worker
 * signs a user's plan into each tunnel token (worker/llm/tunnel.ts); the
 * gateway keeps the counts. Every user has one, `free` by default.
 */
export const plans = pgTable("plans", {
  id: text().primaryKey(),
  /** Completion tokens per UTC day. */
  dailyTokens: integer("daily_tokens").notNull(),
  /** Replies in flight at once. */
  maxStreams: integer("max_streams").notNull(),
});

export const users = pgTable(
  "users",
  {
    id: uuid().primaryKey(),
    username: text().notNull(),
    email: text().notNull(),
    /** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`: the scheme and its parameters travel with the hash. */
    passwordHash: text("password_hash").notNull(),
    displayName: text("display_name").notNull().default(""),
    persona: text().notNull().default(""),
    planId: text("plan_id")
      .notNull()
      .default("free")
      .references(() => plans.id),
    createdAt: now("created_at"),
    updatedAt: now("updated_at"),
  },
  // Usernames are public and unique. Emails are private and NOT unique: a unique email would tell anyone who registers
  // whether an address is in use. Sign-in by email tries that email's oldest accounts (worker/db/users.ts).
  (t) => [
    uniqueIndex("users_username_lower").on(sql`lower(${t.username})`),
    index("users_email_lower_created").on(sql`lower(${t.email})`, t.createdAt, t.id),
  ],
);

export const characters = pgTable(
  "characters",
  {
    id: uuid().primaryKey(),
    creatorId: uuid("creator_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    tagline: text().notNull().default(""),
    description: text().notNull().default(""),
    greeting: text().notNull().default(""),
    scenario: text().notNull().default(""),
    exampleDialogues: text("example_dialogues").notNull().default(""),
    visibility: text({ enum: ["public", "private"] })
      .notNull()
      .default("private"),
    model: text(),
    /** The card's fields not held in columns (V1–V3, unknown fields, extensions, lorebook), kept for the prompt and a lossless round trip. */
    card: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** Normalised tags from the card (lower case), for filtering and search. */
    tags: jsonb().$type<string[]>().notNull().default([]),
    /** The avatar's key in object storage (the SHA-256 of its bytes); never the image itself. */
    avatarKey: text("avatar_key"),
    /** Gallery search: name and tags weigh most, then the tagline, then the description (stemmed English). */
    search: tsvector().generatedAlwaysAs(
      (): SQL =>
        sql`setweight(to_tsvector('simple', ${characters.name}), 'A') || setweight(to_tsvector('simple'::regconfig, ${characters.tags}), 'A') || setweight(to_tsvector('english', ${characters.tagline}), 'B') || setweight(to_tsvector('english', ${characters.description}), 'C')`,
    ),
    createdAt: now("created_at"),
    updatedAt: now("updated_at"),
  },
  (t) => [
    index("characters_creator").on(t.creatorId),
    index("characters_public_name").on(t.visibility, sql`lower(${t.name})`, t.id),
    index("characters_search").using("gin", t.search),
    index("characters_tags").using("gin", t.tags),
    index("characters_avatar").on(t.avatarKey),
  ],
);

export const chatSessions = pgTable(
  "chat_sessions",
  {
    id: uuid().primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    characterId: uuid("character_id")
      .notNull()
      .references(() => characters.id, { onDelete: "cascade" }),
    /** Which of the pair's conversations: "main", or the id of another one (new chat, branch). */
    chatKey: text("chat_key").notNull().default("main"),
    title: text().notNull().default(""),
    createdAt: now("created_at"),
    updatedAt: now("updated_at"),
  },
  (t) => [uniqueIndex("chat_sessions_chat").on(t.userId, t.characterId, t.chatKey), index("chat_sessions_character").on(t.characterId)],
);

export const chatMessages = pgTable(
  "chat_messages",
  {
    id: uuid().primaryKey(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => chatSessions.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    characterId: uuid("character_id")
      .notNull()
      .references(() => characters.id, { onDelete: "cascade" }),
    role: text({ enum: ["user", "assistant"] }).notNull(),
    content: text().notNull(),
    status: text({ enum: ["complete", "cancelled", "interrupted", "error"] }).notNull(),
    tokenCount: integer("token_count").notNull(),
    clientMessageId: text("client_message_id"),
    /** For a reply: the user message it answers (alternatives share it). */
    parentId: uuid("parent_id"),
    /** False once rewound, edited away, or swiped out; the row stays. */
    active: boolean().notNull().default(true),
    /** Stemmed words (english: "painting" and "painted" meet), for recall's fallback while a session's own index refills. */
    search: tsvector().generatedAlwaysAs((): SQL => sql`to_tsvector('english', content)`),
    createdAt: now("created_at"),
  },
  (t) => [
    uniqueIndex("chat_messages_client_id").on(t.sessionId, t.clientMessageId),
    index("chat_messages_pair_time").on(t.userId, t.characterId, t.createdAt.desc(), t.id),
    index("chat_messages_search").using("gin", t.search),
    // Recall's fallback: a turn's neighbours (its exchange) and the date marker in force at it.
    index("chat_messages_session_order").on(t.sessionId, t.id),
    index("chat_messages_dated")
      .on(t.sessionId, t.id)
      .where(sql.raw(`content ~ ${DATED}`)),
  ],
);

export const chatMemories = pgTable(
  "chat_memories",
  {
    id: uuid().primaryKey(),
    /** The conversation it belongs to; null when it is pinned to the character (every conversation of the pair). */
    sessionId: uuid("session_id").references(() => chatSessions.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    characterId: uuid("character_id")
      .notNull()
      .references(() => characters.id, { onDelete: "cascade" }),
    content: text().notNull(),
    sourceMessageId: uuid("source_message_id"),
    createdAt: now("created_at"),
    updatedAt: now("updated_at"),
  },
  (t) => [index("chat_memories_pair").on(t.userId, t.characterId)],
);

/** Who the user is in a conversation: several per account, one chosen per conversation (else the profile's). */
export const personas = pgTable(
  "personas",
  {
    id: uuid().primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    description: text().notNull().default(""),
    createdAt: now("created_at"),
    updatedAt: now("updated_at"),
  },
  (t) => [index("personas_user").on(t.userId)],
);

export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: uuid().primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** SHA-256 of the token; the token itself is never stored. */
    tokenHash: text("token_hash").notNull().unique(),
    family: uuid().notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: now("created_at"),
  },
  (t) => [index("refresh_tokens_family").on(t.family)],
);
