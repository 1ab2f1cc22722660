/** Lists that keep their items' objects across reloads, so an item still there keeps its element and what it holds. */
import type { Accessor, Setter } from "solid-js";
import { createStore, reconcile, unwrap } from "solid-js/store";

/** A signal (or a resource's `storage`) that reconciles each new value by `id` instead of replacing it. */
export function reconciledById<T>(init: T | undefined): [Accessor<T | undefined>, Setter<T | undefined>] {
  const [store, setStore] = createStore<{ value: T | undefined }>({ value: init });
  const set = (v: unknown) => {
    const next = typeof v === "function" ? v(unwrap(store.value)) : v;
    setStore("value", reconcile(next as T | undefined, { key: "id" }));
    return store.value;
  };
  return [() => store.value, set as Setter<T | undefined>];
}
