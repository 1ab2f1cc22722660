import type { Component } from "solid-js";
import Link from "../components/Link";

/** Where account deletion ends: it says that it worked. */
const Goodbye: Component = () => (
  <section class="card narrow" data-testid="goodbye">
    <h1>Your account was deleted</h1>
    <p role="status">Your account, your characters and every conversation are gone from our servers. You have been signed out.</p>
    <p>
      <Link href="/register">Create a new account</Link> or <Link href="/login">sign in</Link> with another one.
    </p>
  </section>
);

export default Goodbye;
