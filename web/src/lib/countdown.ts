/** A seconds countdown as a signal, for "try again in N s" after throttling. */
import { type Accessor, createSignal, onCleanup } from "solid-js";

export function createCountdown(): [Accessor<number>, (seconds: number) => void] {
  const [left, setLeft] = createSignal(0);
  let timer: ReturnType<typeof setInterval> | undefined;
  const start = (seconds: number) => {
    clearInterval(timer);
    const end = Date.now() + seconds * 1000;
    setLeft(Math.ceil(seconds));
    timer = setInterval(() => {
      const s = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      setLeft(s);
      if (s === 0) clearInterval(timer);
    }, 250);
  };
  onCleanup(() => clearInterval(timer));
  return [left, start];
}
