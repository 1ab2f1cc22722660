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
}

export type GatewayEnv = {
  Variables: { identity: TunnelIdentity; requestId: string };
};

/** One structured log line; the gateway writes them as JSON. */
export type LogLine = { msg: string } & Record<string, unknown>;
export type Logger = (line: LogLine) => void;
