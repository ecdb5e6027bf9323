// The HTML of `GET /`: the streams this server knows, each linked to its overlay page, so an
// operator can copy the URL into an OBS browser source.
import type { RoomSummary } from './websocket-hub.js';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

export function renderIndexPage(rooms: readonly RoomSummary[], overlayPath: (stream: string) => string): string {
  const rows = rooms
    .map(
      (room) =>
        `<tr><td><a href="${escapeHtml(overlayPath(room.stream))}">${escapeHtml(room.stream)}</a></td>` +
        `<td>${room.seq}</td><td>${room.clients}</td></tr>`,
    )
    .join('\n');
  const body =
    rooms.length === 0
      ? '<p>No streams yet. A stream appears here once the pipeline publishes to it or an overlay connects to it.</p>'
      : `<table><thead><tr><th>stream</th><th>messages</th><th>overlays connected</th></tr></thead>\n<tbody>\n${rows}\n</tbody></table>`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>livepipe overlays</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}td,th{padding:.25rem 1rem;text-align:left}</style>
</head>
<body>
<h1>livepipe overlays</h1>
<p>Add an overlay URL as a 1920×1080 browser source in OBS.</p>
${body}
</body>
</html>
`;
}
