/**
 * Throttling in Redis, counted atomically BEFORE the expensive or revealing
 * step: one Lua script takes an attempt for the account and for the client
 * address (or refuses, with the wait), so parallel guesses cannot pass the
 * limit between a check and a count. Sign-in and password change share the
 * account count (by user id); registration has its own count per address.
 * Without Redis, or when it fails, nothing is counted (stated in the log of
 * `npm start`).
 */
import type Redis from "ioredis";

export const WINDOW_SECONDS = 15 * 60;
/** Password checks per account per window. */
export const ACCOUNT_LIMIT = 10;
/** Password checks per client address per window (many accounts from one address). */
export const ADDRESS_LIMIT = 50;
export const REGISTER_WINDOW_SECONDS = 60 * 60;
/** Registrations per client address per hour; REGISTER_LIMIT overrides. */
export const REGISTER_LIMIT = 20;

/**
 * Where the counts live: keys carry the deployment's scope (so two
 * deployments or two test runs sharing one Redis never share counts) and the
 * client address.
 */
export interface ThrottleScope {
  redis: Redis | null;
  scope: string;
  address: string;
}

// KEYS: account, address. ARGV: window, account limit, address limit.
// Returns 0 when the attempt is taken, else the seconds until the full count expires.
const TAKE = `
local function full(key, limit)
  local n = tonumber(redis.call('GET', key) or '0')
  if n >= limit then return math.max(1, redis.call('TTL', key)) end
  return 0
end
local wait = full(KEYS[1], tonumber(ARGV[2]))
if wait == 0 then wait = full(KEYS[2], tonumber(ARGV[3])) end
if wait > 0 then return wait end
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, ARGV[1]) end
end
return 0`;

// A successful sign-in clears the account's count and gives its attempt back to the address.
const GIVE_BACK = `
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 0`;

const REGISTER = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then return math.max(1, redis.call('TTL', KEYS[1])) end
return 0`;

const keys = (t: ThrottleScope, account: string) =>
  [`${t.scope}:login:acct:${account.toLowerCase()}`, `${t.scope}:login:addr:${t.address}`] as const;

async function run(t: ThrottleScope, script: string, keyList: readonly string[], args: (string | number)[]): Promise<number> {
  if (!t.redis) return 0;
  try {
    return Number(await t.redis.eval(script, keyList.length, ...keyList, ...args)) || 0;
  } catch {
    return 0; // throttling is best effort when Redis fails
  }
}

/** Takes one password check for `account` (a user id, or the login as typed when unknown); seconds to wait when refused, else 0. */
export function takeAttempt(t: ThrottleScope, account: string): Promise<number> {
  return run(t, TAKE, keys(t, account), [WINDOW_SECONDS, ACCOUNT_LIMIT, ADDRESS_LIMIT]);
}

/** The password was right: the account starts afresh and the address gets its attempt back. */
export async function attemptSucceeded(t: ThrottleScope, account: string): Promise<void> {
  await run(t, GIVE_BACK, keys(t, account), []);
}

/** Takes one registration for the address; seconds to wait when refused, else 0. */
export function takeRegistration(t: ThrottleScope, limit: number): Promise<number> {
  return run(t, REGISTER, [`${t.scope}:register:addr:${t.address}`], [REGISTER_WINDOW_SECONDS, limit]);
}
