/**
 * Draws the web app's icons (a speech bubble on the accent colour) into
 * web/public/icons: 192 and 512 px, safe for maskable cropping (the bubble
 * stays inside the middle 60%). Run once after a change: `npx tsx dev/make-icons.ts`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { encodePng } from "./png-encode";

const ACCENT: [number, number, number] = [79, 63, 208];
const WHITE: [number, number, number] = [255, 255, 255];
const SOFT: [number, number, number] = [235, 232, 253];

/** Inside a rounded rectangle centred at (cx, cy) with half-sizes (hw, hh) and corner radius r. */
function inRoundRect(x: number, y: number, cx: number, cy: number, hw: number, hh: number, r: number): boolean {
  const dx = Math.max(Math.abs(x - cx) - (hw - r), 0);
  const dy = Math.max(Math.abs(y - cy) - (hh - r), 0);
  return dx * dx + dy * dy <= r * r;
}

function icon(size: number): Buffer {
  const s = size / 100;
  return encodePng(size, size, (px, py) => {
    const x = px / s;
    const y = py / s;
    // The bubble, its tail, and three dots of "typing".
    const bubble = inRoundRect(x, y, 50, 46, 28, 20, 9);
    const tail = y >= 60 && y <= 74 && x >= 34 && x <= 46 && x - 34 <= (74 - y) * 0.85;
    if (bubble || tail) {
      for (const dx of [38, 50, 62]) if (Math.hypot(x - dx, y - 46) <= 4.2) return ACCENT;
      return y > 58 && !tail ? SOFT : WHITE;
    }
    return ACCENT;
  });
}

mkdirSync("web/public/icons", { recursive: true });
for (const size of [192, 512]) writeFileSync(`web/public/icons/icon-${size}.png`, icon(size));
console.log("wrote web/public/icons/icon-192.png and icon-512.png");
