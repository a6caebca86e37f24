import { promises as fs } from 'node:fs';
import path from 'node:path';

/** What a Firefox profile for capture is made from. */
export interface FirefoxProfile {
  /** The proxy's host (`127.0.0.1`). */
  readonly host: string;
  /** The proxy's port. */
  readonly port: number;
}

/**
 * The prefs a fresh Firefox profile gets in `user.js`: every request to capture (HTTP and
 * HTTPS, loopback included, which Firefox otherwise never proxies), and none of Firefox's own
 * background traffic (updates, telemetry, captive portal and connectivity checks, safe
 * browsing, remote settings, first-run pages), which would otherwise fill the capture.
 */
export function firefoxPrefs(profile: FirefoxProfile): Record<string, string | number | boolean> {
  return {
    'network.proxy.type': 1,
    'network.proxy.http': profile.host,
    'network.proxy.http_port': profile.port,
    'network.proxy.ssl': profile.host,
    'network.proxy.ssl_port': profile.port,
    'network.proxy.share_proxy_settings': true,
    'network.proxy.no_proxies_on': '',
    'network.proxy.allow_hijacking_localhost': true,
    // The CA lives in this profile's NSS store; enterprise roots would mix in the system's changes.
    'security.enterprise_roots.enabled': false,
    'app.update.enabled': false,
    'app.update.auto': false,
    'app.normandy.enabled': false,
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.homepage_override.mstone': 'ignore',
    'browser.aboutwelcome.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'datareporting.healthreport.uploadEnabled': false,
    'toolkit.telemetry.enabled': false,
    'toolkit.telemetry.unified': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'browser.safebrowsing.downloads.enabled': false,
    'browser.safebrowsing.provider.google4.updateURL': '',
    'services.settings.server': '',
    'extensions.update.enabled': false,
    'extensions.getAddons.cache.enabled': false,
    'browser.newtabpage.activity-stream.feeds.topsites': false,
    'browser.newtabpage.activity-stream.feeds.section.topstories': false,
    'browser.ping-centre.telemetry': false,
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
  };
}

/** `user.js` text for the prefs: `user_pref("name", value);` per line. */
export function userJs(prefs: Record<string, string | number | boolean>): string {
  return `// Written by capture browser for this throw-away profile.\n${Object.entries(prefs)
    .map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});`)
    .join('\n')}\n`;
}

/** Writes the profile's `user.js`; the CA is trusted in it separately (os-certs' profile plan). */
export async function writeFirefoxProfile(folder: string, profile: FirefoxProfile): Promise<string> {
  const file = path.join(folder, 'user.js');
  await fs.mkdir(folder, { recursive: true });
  await fs.writeFile(file, userJs(firefoxPrefs(profile)));
  return file;
}

/**
 * Firefox's arguments: this profile alone, a new instance (never a tab in the user's running
 * Firefox). Headless with a URL takes a screenshot once the page has loaded and exits, which
 * is what closes `capture browser --headless URL`.
 */
export function firefoxArgs(launch: { profile: string; headless: boolean; url: string | undefined }): string[] {
  const args = ['-profile', launch.profile, '-no-remote', '-new-instance'];
  if (launch.headless) args.push('-headless');
  if (launch.headless && launch.url) args.push('--screenshot', path.join(launch.profile, 'page.png'));
  if (launch.url) args.push(launch.url);
  return args;
}
