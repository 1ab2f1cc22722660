import { type Component, Show } from "solid-js";
import { useAuth } from "../lib/auth";
import { navigate } from "../lib/router";
import Link from "./Link";
import ThemeSwitch from "./ThemeSwitch";

/** The top bar: where to go, who is signed in, and the way out. */
const Nav: Component = () => {
  const auth = useAuth();
  const signOut = async () => {
    await auth.signOut();
    navigate("/login");
  };
  return (
    <header class="topbar">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Link href="/" class="brand">
        Character Chat
      </Link>
      <Show when={auth.user()}>
        {(user) => (
          <nav class="nav" aria-label="Main">
            <Link href="/characters">Characters</Link>
            <Link href="/chats" data-testid="nav-chats">
              Chats
            </Link>
            <Link href="/search" data-testid="nav-search">
              Search
            </Link>
            <Link href="/profile" data-testid="nav-profile">
              <span class="who">{user().displayName || user().username}</span>
              <span class="who-short">Profile</span>
            </Link>
            <button type="button" class="link" data-testid="sign-out" onClick={signOut}>
              Sign out
            </button>
          </nav>
        )}
      </Show>
      <ThemeSwitch />
    </header>
  );
};

export default Nav;
