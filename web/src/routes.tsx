import { type Component, createMemo, Match, Show, Switch } from "solid-js";
import { useAuth } from "./lib/auth";
import { MAIN } from "./lib/chat-api";
import { matchPath, pathname } from "./lib/router";
import CharacterForm from "./pages/CharacterForm";
import Characters from "./pages/Characters";
import Chat from "./pages/Chat";
import Chats from "./pages/Chats";
import Goodbye from "./pages/Goodbye";
import Login from "./pages/Login";
import NotFound from "./pages/NotFound";
import Profile from "./pages/Profile";
import Register from "./pages/Register";
import Search from "./pages/Search";

/** Path → page. Signed out, every page but sign-up shows the sign-in form. */
const Routes: Component = () => {
  const auth = useAuth();
  const is = (...paths: string[]) => paths.includes(pathname());
  const param = (pattern: string) => matchPath(pattern, pathname())?.id;
  // One object per conversation, so switching conversations builds a fresh chat.
  const chatRef = createMemo(
    () => {
      const main = matchPath("/chat/:id", pathname());
      const other = matchPath("/chat/:id/:chat", pathname());
      if (main) return { characterId: main.id, chatId: MAIN };
      if (other) return { characterId: other.id, chatId: other.chat };
      return null;
    },
    null,
    { equals: (a, b) => a?.characterId === b?.characterId && a?.chatId === b?.chatId },
  );
  return (
    <Show when={auth.ready()} fallback={<p class="muted center">Loading…</p>}>
      <Switch fallback={<NotFound />}>
        <Match when={!auth.user() && is("/register")}>
          <Register />
        </Match>
        <Match when={!auth.user() && is("/goodbye")}>
          <Goodbye />
        </Match>
        <Match when={!auth.user()}>
          <Login />
        </Match>
        <Match when={is("/", "/characters", "/login", "/register")}>
          <Characters />
        </Match>
        <Match when={is("/characters/new")}>
          <CharacterForm />
        </Match>
        <Match when={param("/characters/:id/edit")} keyed>
          {(id) => <CharacterForm id={id} />}
        </Match>
        <Match when={is("/chats")}>
          <Chats />
        </Match>
        <Match when={chatRef()} keyed>
          {(ref) => <Chat characterId={ref.characterId} chatId={ref.chatId} />}
        </Match>
        <Match when={is("/profile")}>
          <Profile />
        </Match>
        <Match when={is("/search")}>
          <Search />
        </Match>
      </Switch>
    </Show>
  );
};

export default Routes;
