import type { Component } from "solid-js";
import DevBanner from "./components/DevBanner";
import Nav from "./components/Nav";
import { AuthProvider } from "./lib/auth";
import Routes from "./routes";

/** The shell: session, banner, top bar and the current page. */
const App: Component = () => (
  <AuthProvider>
    <div class="app">
      <DevBanner />
      <Nav />
      <main id="main" tabindex="-1">
        <Routes />
      </main>
    </div>
  </AuthProvider>
);

export default App;
