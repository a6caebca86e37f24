import type { HeaderList, InfoPageLink } from '@capture/core';
import type { CaInfo } from './ca-info.js';

/** The host name a device can always open, through the proxy, to reach the download page. */
export const CA_PAGE_HOST = 'capture.proxy';
/** Where the page is linked from the proxy's information page and the CLI's start banner. */
export const CA_PAGE_PATH = '/ca';

/** A response the plugin gives for a request to the page or its files. */
export interface LocalAnswer {
  statusCode: number;
  headers: HeaderList;
  body: Buffer;
}

/** The CA in every format the page offers, each built once per CA. */
export interface CaDownloads {
  readonly info: CaInfo;
  readonly pem: Buffer;
  readonly der: Buffer;
  /** The PKCS#12 file, built on the first download: node-forge and its key derivation cost a start 40 ms otherwise. */
  p12(): Promise<Buffer>;
}

/** Prepares the downloadable formats of a CA (the `.p12` on first request). */
export function caDownloads(info: CaInfo): CaDownloads {
  let p12: Promise<Buffer> | undefined;
  return {
    info,
    pem: Buffer.from(info.certPem),
    der: info.certDer,
    p12: () => (p12 ??= import('./pkcs12.js').then(({ caToPkcs12 }) => caToPkcs12(info))),
  };
}

const CA_CERT_TYPE = 'application/x-x509-ca-cert';
const FILES: Record<string, { format: 'pem' | 'der' | 'p12'; type: string; filename: string }> = {
  '/ca.crt': { format: 'pem', type: CA_CERT_TYPE, filename: 'capture-proxy-ca.crt' },
  '/ca.pem': { format: 'pem', type: CA_CERT_TYPE, filename: 'capture-proxy-ca.pem' },
  '/ca.cer': { format: 'der', type: CA_CERT_TYPE, filename: 'capture-proxy-ca.cer' },
  '/ca.p12': { format: 'p12', type: 'application/x-pkcs12', filename: 'capture-proxy-ca.p12' },
};
const PAGES = new Set(['/', CA_PAGE_PATH, `${CA_PAGE_PATH}/`]);

/**
 * Answers a request for the download page or one of its files; undefined for any other path
 * (the caller decides: the proxy's own address falls back to the core, `capture.proxy` gets a
 * 404, never a forward). Only fixed paths exist: nothing here reads files named by the request.
 */
export async function answerDownloadRequest(
  request: { method: string; pathname: string; accept: string | undefined },
  downloads: CaDownloads,
  otherLinks: readonly InfoPageLink[],
): Promise<LocalAnswer | undefined> {
  const file = FILES[request.pathname];
  if (!file && !PAGES.has(request.pathname)) return undefined;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return answer(405, 'text/plain; charset=utf-8', Buffer.from(`capture: ${request.method} is not allowed here; use GET\n`), [['Allow', 'GET, HEAD']]);
  }
  if (file) {
    const body = file.format === 'p12' ? await downloads.p12() : downloads[file.format];
    return answer(200, file.type, body, [['Content-Disposition', `attachment; filename="${file.filename}"`]]);
  }
  if ((request.accept ?? '').includes('text/html')) return answer(200, 'text/html; charset=utf-8', Buffer.from(htmlPage(downloads.info, otherLinks)));
  return answer(200, 'text/plain; charset=utf-8', Buffer.from(textPage(downloads.info, otherLinks)));
}

/** The answer for a path on `capture.proxy` that does not exist. */
export function notFound(pathname: string): LocalAnswer {
  return answer(404, 'text/plain; charset=utf-8', Buffer.from(`capture: nothing at ${pathname} on ${CA_PAGE_HOST}; the certificate page is http://${CA_PAGE_HOST}/\n`));
}

function answer(statusCode: number, type: string, body: Buffer, extra: HeaderList = []): LocalAnswer {
  return {
    statusCode,
    headers: [['Content-Type', type], ['Content-Length', String(body.length)], ['Cache-Control', 'no-store'], ['X-Content-Type-Options', 'nosniff'], ...extra],
    body,
  };
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The `network_security_config.xml` an Android app needs before it trusts user-installed CAs. */
export const ANDROID_NETWORK_SECURITY_CONFIG = `<!-- res/xml/network_security_config.xml -->
<network-security-config>
  <debug-overrides>
    <trust-anchors>
      <certificates src="user" />
    </trust-anchors>
  </debug-overrides>
</network-security-config>

<!-- AndroidManifest.xml -->
<application android:networkSecurityConfig="@xml/network_security_config" ...>`;

function textPage(info: CaInfo, links: readonly InfoPageLink[]): string {
  return [
    `capture: install the CA certificate to capture HTTPS from this device`,
    `certificate: ${info.commonName}`,
    `SHA-256 fingerprint: ${info.fingerprint}`,
    `PEM: /ca.crt (also /ca.pem)   DER: /ca.cer   PKCS#12 (no key, empty password): /ca.p12`,
    `Open this page in a browser for install steps per platform.`,
    ...links.map((link) => `${link.title}: ${link.href} (${link.description})`),
    '',
  ].join('\n');
}

function htmlPage(info: CaInfo, links: readonly InfoPageLink[]): string {
  const steps = (items: string[]) => `<ol>${items.map((item) => `<li>${item}</li>`).join('')}</ol>`;
  const section = (title: string, body: string) => `<details><summary>${title}</summary>${body}</details>`;
  const name = `<b>${escapeHtml(info.commonName)}</b>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>capture: install the CA certificate</title>
<style>
body{font:16px/1.5 system-ui,-apple-system,sans-serif;max-width:42em;margin:0 auto;padding:1em;color:#222}
a.button{display:block;padding:.8em 1em;margin:.5em 0;background:#0a6cff;color:#fff;border-radius:.5em;text-decoration:none;text-align:center;font-weight:600}
code,pre{font:13px ui-monospace,monospace;background:#f3f3f3;border-radius:.3em}code{padding:.1em .3em;word-break:break-all}pre{padding:.6em;overflow-x:auto}
details{border-top:1px solid #ddd;padding:.5em 0}summary{font-weight:600;cursor:pointer}
</style></head><body>
<h1>Capture HTTPS from this device</h1>
<p>Install capture's certificate authority (${name}) so this device accepts the certificates capture makes for each site.
Install it only on devices you control, and remove it when you are done.</p>
<a class="button" href="/ca.crt">Download the certificate (.crt)</a>
<p>Other formats: <a href="/ca.pem">PEM (.pem)</a> · <a href="/ca.cer">DER (.cer)</a> · <a href="/ca.p12">PKCS#12 (.p12)</a> (certificate only, empty password).</p>
<p>SHA-256 fingerprint, to compare with <code>capture ca show</code>:<br><code>${escapeHtml(info.fingerprint)}</code></p>
<h2>Install steps</h2>
${section('iPhone and iPad', steps([
    'Open this page in <b>Safari</b> and tap <b>Download the certificate</b>, then <b>Allow</b>.',
    'Open <b>Settings › General › VPN &amp; Device Management</b> (or the <b>Profile Downloaded</b> entry at the top of Settings), choose the profile and tap <b>Install</b>.',
    `Open <b>Settings › General › About › Certificate Trust Settings</b> and turn on full trust for ${name}.`,
  ]))}
${section('Android', `${steps([
    'Tap <b>Download the certificate</b> (or the <a href="/ca.cer">.cer</a> file).',
    'Open <b>Settings › Security › Encryption &amp; credentials › Install a certificate › CA certificate</b> (the path differs between versions; search Settings for “CA certificate”).',
    'Tap <b>Install anyway</b> and pick the downloaded file. Browsers now trust it.',
  ])}<p>Apps (Android 7 and later) trust user-installed CAs only when they ask to. Add this to the app you are debugging:</p><pre>${escapeHtml(ANDROID_NETWORK_SECURITY_CONFIG)}</pre>`)}
${section('Windows', steps([
    'Download the <a href="/ca.cer">.cer</a> file and open it, then choose <b>Install Certificate</b>.',
    'Choose <b>Local Machine</b> (or Current User), then <b>Place all certificates in the following store › Browse › Trusted Root Certification Authorities</b>.',
    'Finish, and restart the browser. From a terminal: <code>certutil -addstore -f Root capture-proxy-ca.cer</code> (as administrator).',
  ]))}
${section('macOS', steps([
    'Download the certificate and open it: Keychain Access adds it (choose the <b>System</b> keychain).',
    `Double-click ${name}, open <b>Trust</b> and set <b>When using this certificate</b> to <b>Always Trust</b>.`,
    'From a terminal: <code>sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain capture-proxy-ca.crt</code>',
  ]))}
${section('Linux', steps([
    'Debian and Ubuntu: <code>sudo cp capture-proxy-ca.crt /usr/local/share/ca-certificates/ &amp;&amp; sudo update-ca-certificates</code>',
    'Fedora, RHEL and CentOS: <code>sudo cp capture-proxy-ca.crt /etc/pki/ca-trust/source/anchors/ &amp;&amp; sudo update-ca-trust</code>',
    'Chrome and Chromium keep their own store: <code>certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n capture -i capture-proxy-ca.crt</code>',
  ]))}
${section('Firefox (any system)', steps([
    'Open <b>Settings › Privacy &amp; Security › Certificates › View Certificates › Authorities</b> and choose <b>Import</b>.',
    'Pick the downloaded <code>capture-proxy-ca.crt</code> and tick <b>Trust this CA to identify websites</b>.',
  ]))}
<p>On the computer running capture, <code>capture ca install</code> does this for you. If an app still refuses HTTPS after installing, it probably pins its certificates: add its host to the <code>passthrough</code> option.</p>
${links.length ? `<h2>More on this proxy</h2><ul>${links.map((link) => `<li><a href="${escapeHtml(link.href)}">${escapeHtml(link.title)}</a>: ${escapeHtml(link.description)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
