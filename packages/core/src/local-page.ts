import type { ServerResponse } from 'node:http';
import type { InfoPageLink } from './hooks.js';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** Writes the page a browser sees when it opens the proxy's own address: what runs here and where to go next. */
export function writeInfoPage(
  response: ServerResponse,
  details: { version: string; address: string; links: InfoPageLink[]; wantsHtml: boolean; head: boolean },
): void {
  const { version, address, links } = details;
  const linkText = links.length
    ? links.map((link) => `${link.title}: ${link.href} (${link.description})`).join('\n')
    : 'The CA certificate for HTTPS capture is served here when the HTTPS plugin is loaded.';
  const body = details.wantsHtml
    ? `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>capture proxy</title></head>` +
      `<body style="font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em">` +
      `<h1>capture ${escapeHtml(version)}</h1><p>This is the capture HTTP proxy at <code>${escapeHtml(address)}</code>. ` +
      `Set it as the HTTP proxy of your device to capture its traffic.</p>` +
      (links.length
        ? `<ul>${links.map((link) => `<li><a href="${escapeHtml(link.href)}">${escapeHtml(link.title)}</a>: ${escapeHtml(link.description)}</li>`).join('')}</ul>`
        : `<p>${escapeHtml(linkText)}</p>`) +
      `</body></html>\n`
    : `capture ${version}\nThis is the capture HTTP proxy at ${address}.\nSet it as the HTTP proxy of your device to capture its traffic.\n${linkText}\n`;
  response.writeHead(200, {
    'Content-Type': details.wantsHtml ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  response.end(details.head ? undefined : body);
}
