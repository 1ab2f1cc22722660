import { type Component, createResource, Show } from "solid-js";
import { myUsage } from "../lib/api";

const number = new Intl.NumberFormat();

/** The user's plan and how much of today's reply tokens they have used (the gateway counts; it may not say). */
const PlanUsageCard: Component = () => {
  const [usage] = createResource(() => myUsage().catch(() => null));
  return (
    <section class="card" data-testid="plan-usage" aria-live="polite">
      <h2>Plan</h2>
      <Show when={usage()} fallback={<p class="muted">{usage.loading ? "Loading…" : "Your plan cannot be shown right now."}</p>}>
        {(u) => (
          <>
            <p>
              <strong>{u().plan}</strong>: up to {number.format(u().dailyTokens)} reply tokens a day, {u().maxStreams} at once.
            </p>
            <Show when={u().today} fallback={<p class="muted">Today's usage is not available right now.</p>}>
              {(t) => (
                <>
                  <meter min={0} max={u().dailyTokens} value={t().usedTokens} aria-label="Reply tokens used today" />
                  <p data-testid="usage-today">
                    Today: {number.format(t().usedTokens)} of {number.format(u().dailyTokens)} used; the count starts again in about{" "}
                    {Math.max(1, Math.round(t().resetsIn / 3600))} h (midnight UTC).
                  </p>
                </>
              )}
            </Show>
          </>
        )}
      </Show>
    </section>
  );
};

export default PlanUsageCard;
