/**
 * The signed-in user as a Solid context. The access token itself stays inside
 * api.ts; this module follows the session and renews it before it expires.
 */

import type { Accessor, JSX } from "solid-js";
import { createComponent, createContext, createSignal, onCleanup, useContext } from "solid-js";
import type { User } from "../../../worker/shared/wire";
import { logout, mayHaveSession, onSession, refreshSession } from "./api";

export interface Auth {
  /** The signed-in user, or null. */
  user: Accessor<User | null>;
  /** False until the first silent refresh has answered. */
  ready: Accessor<boolean>;
  setUser: (user: User) => void;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<Auth>();

function createAuth(): Auth {
  const [user, setUser] = createSignal<User | null>(null);
  const [ready, setReady] = createSignal(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onSession((auth) => {
    clearTimeout(timer);
    setUser(auth?.user ?? null);
    // Renew at 80% of the token's life so requests rarely meet a 401.
    if (auth) timer = setTimeout(() => void refreshSession(), Math.max(5, auth.expiresIn * 0.8) * 1000);
  });
  // No session hint, no refresh call: a signed-out page load makes no request that can only answer 401.
  if (mayHaveSession()) void refreshSession().finally(() => setReady(true));
  else setReady(true);
  onCleanup(() => clearTimeout(timer));
  return { user, ready, setUser, signOut: logout };
}

/** Provides the session to the app; start it once, at the root. */
export function AuthProvider(props: { children: JSX.Element }): JSX.Element {
  return createComponent(AuthContext.Provider, {
    value: createAuth(),
    get children() {
      return props.children;
    },
  });
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside <AuthProvider>");
  return auth;
}
