/** Types shared by the gateway's modules. Types only: nothing here runs. */

/** Who a verified tunnel token speaks for. */
export interface TunnelIdentity {
  /** `sub`: the chat session (Durable Object) that asked. */
  sessionId: string;
  /** `uid`: the end user, the unit of the limits. */
  userId: string;
  jti: string;
  /** `exp`, seconds since the epoch. */
  expiresAt: number;
  /** `limits`: the user's plan, from the worker's database; the gateway's defaults fill what it leaves out. */
  limits: UserLimits;
}

/** Per-user limits a token may carry (the user's plan). */
export interface UserLimits {
  /** Completion tokens per UTC day. */
  dailyTokens?: number;
  /** Replies in flight at once. */
  maxStreams?: number;
}

export type GatewayEnv = {
  Variables: { identity: TunnelIdentity; requestId: string };
};

/** One structured log line; the gateway writes them as JSON. */
export type LogLine = { msg: string } & Record<string, unknown>;
export type Logger = (line: LogLine) => void;
