import type { Component } from "solid-js";
import Link from "../components/Link";

const NotFound: Component = () => (
  <section class="card narrow center">
    <h1>Nothing here</h1>
    <p>
      <Link href="/">Back to the characters</Link>
    </p>
  </section>
);

export default NotFound;
