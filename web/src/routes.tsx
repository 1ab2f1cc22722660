import { type Component, Match, Show, Switch } from "solid-js";
import { useAuth } from "./lib/auth";
import { matchPath, pathname } from "./lib/router";
import CharacterForm from "./pages/CharacterForm";
import Characters from "./pages/Characters";
import Chat from "./pages/Chat";
import Chats from "./pages/Chats";
import Login from "./pages/Login";
import NotFound from "./pages/NotFound";
import Profile from "./pages/Profile";
import Register from "./pages/Register";

/** Path → page. Signed out, every page but sign-up shows the sign-in form. */
const Routes: Component = () => {
  const auth = useAuth();
  const is = (...paths: string[]) => paths.includes(pathname());
  const param = (pattern: string) => matchPath(pattern, pathname())?.id;
  return (
    <Show when={auth.ready()} fallback={<p class="muted center">Loading…</p>}>
      <Switch fallback={<NotFound />}>
        <Match when={!auth.user() && is("/register")}>
          <Register />
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
        <Match when={param("/chat/:id")} keyed>
          {(id) => <Chat characterId={id} />}
        </Match>
        <Match when={is("/profile")}>
          <Profile />
        </Match>
      </Switch>
    </Show>
  );
};

export default Routes;
