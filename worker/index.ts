/** The worker's entry: the Hono app and the session object class. */
import { app } from "./app";
import type { Env } from "./env";

export { ChatSession } from "./session/chat-session";

export default {
  fetch: (req, env, ctx) => app.fetch(req, env, ctx),
} satisfies ExportedHandler<Env>;
