/** A 64×64 silhouette PNG: the picture of a card exported for a character without a PNG avatar (made by dev/png-encode.ts). */
const BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAEAAAABACAIAAAAlC+aJAAAAp0lEQVR4nO3YuxGAMAwEUZdHSAmUR0gF1EYF/KzTHMI7o9jel8lu07yUnmYvAOAuAOAuAOAuAOAuAOAuAOAuAJBw6LrtZ/N1wEV6EkMGeJguZ2gAHfUqgwDQXS8xDA8I1scNYwMk9UEDAAAAAAAAYDdEAoYHlN9G/wAo/yLrNkju5VfiJUN+Fz9z7gHgHgDuuQdI1rW8XQMAAAAAAAAAAAAAAAAAygIOFXwjhil4roAAAAAASUVORK5CYII=";

export const PLACEHOLDER_PNG: Uint8Array = Uint8Array.from(atob(BASE64), (ch) => ch.charCodeAt(0));
