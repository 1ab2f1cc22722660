/**
 * Once per test run: a database of its own (created, migrated, dropped at
 * the end; nothing else is touched), the shared development LLM, and fresh
 * builds of the worker and the web client.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { buildWorker } from "../dev/build";
import { buildWeb } from "../dev/build-web";
import { startDevLlm } from "../dev/dev-llm";
import { migrateDatabase } from "../dev/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
    redisUrl: string;
    llmBaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const name = `chat_test_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  await migrateDatabase(databaseUrl);
  const [llm] = await Promise.all([startDevLlm({ wordDelayMs: 5 }), buildWorker(), buildWeb()]);

  project.provide("databaseUrl", databaseUrl);
  project.provide("adminDatabaseUrl", adminUrl);
  project.provide("redisUrl", redisUrl);
  project.provide("llmBaseUrl", llm.url);

  return async () => {
    await llm.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
}
