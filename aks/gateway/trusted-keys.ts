/**
 * The worker's public keys, re-read while the gateway runs, so rotating them
 * needs no restart: a JWKS file (a mounted Secret, which the kubelet swaps in
 * place) is read again every few seconds and on SIGHUP. A file that turns out
 * broken is logged and ignored: the keys in use stay until a good one comes.
 */
import { readFile as readFileAsync } from "node:fs/promises";
import type { JSONWebKeySet } from "jose";
import { parseJwks } from "./auth";
import type { Logger } from "./types";

export interface TrustedKeys {
  /** The keys in use now (a new object after each change). */
  current(): JSONWebKeySet;
  /** Reads the file again now; resolves true when the keys changed. */
  reload(): Promise<boolean>;
  close(): void;
}

export interface TrustedKeysOptions {
  /** The keys read at start. */
  initial: JSONWebKeySet;
  /** The file they came from; without one (inline JSON) they never change. */
  path?: string;
  /** How often the file is read again; 0 turns polling off (SIGHUP still works). */
  intervalMs: number;
  log: Logger;
  readFile?: (path: string) => Promise<string>;
}

export function createTrustedKeys(options: TrustedKeysOptions): TrustedKeys {
  const read = options.readFile ?? ((p: string) => readFileAsync(p, "utf8"));
  let keys = options.initial;
  let inUse = JSON.stringify(keys);
  let lastText: string | undefined;
  let reading: Promise<boolean> | undefined;

  const failed = (path: string, err: unknown) =>
    options.log({ msg: "jwks_reload_failed", path, error: err instanceof Error ? err.message : String(err) });

  const load = async (path: string): Promise<boolean> => {
    let text: string;
    try {
      text = await read(path);
    } catch (err) {
      failed(path, err);
      return false;
    }
    // An unchanged file is not parsed again, and a broken one is reported once, not every poll.
    if (text === lastText) return false;
    lastText = text;
    let parsed: JSONWebKeySet;
    try {
      parsed = parseJwks(text);
    } catch (err) {
      failed(path, err);
      return false;
    }
    if (JSON.stringify(parsed) === inUse) return false;
    keys = parsed;
    inUse = JSON.stringify(parsed);
    options.log({ msg: "jwks_reloaded", path, kids: keys.keys.map((k) => k.kid) });
    return true;
  };

  const reload = () => {
    const path = options.path;
    if (path === undefined) return Promise.resolve(false);
    // One read at a time: a poll and a SIGHUP together share it.
    reading ??= load(path).finally(() => (reading = undefined));
    return reading;
  };

  const timer = options.path !== undefined && options.intervalMs > 0 ? setInterval(() => void reload(), options.intervalMs) : undefined;
  timer?.unref();
  return { current: () => keys, reload, close: () => clearInterval(timer) };
}
