import path from 'node:path';
import type { Plan, Step } from '../plan.js';
import { terminalQr } from '../qr.js';
import type { Target, TargetEnv } from './target.js';

/** The file an Android app adds under `res/xml/` so that its debug builds trust user-installed CAs. */
export const NETWORK_SECURITY_CONFIG_FILE = 'network_security_config.xml';

/**
 * Trusts the CAs the user installed (capture's) besides the system's, in debug builds only,
 * so a release build never trusts an interception CA by accident. Android 7 and later ignore
 * user CAs in apps without it.
 */
export const NETWORK_SECURITY_CONFIG = `<?xml version="1.0" encoding="utf-8"?>
<!-- res/xml/network_security_config.xml: debug builds of this app trust CAs the user installed,
     such as capture's, so capture can show its HTTPS traffic. Reference it from
     AndroidManifest.xml: <application android:networkSecurityConfig="@xml/network_security_config" ...> -->
<network-security-config>
    <debug-overrides>
        <trust-anchors>
            <certificates src="system" />
            <certificates src="user" />
        </trust-anchors>
    </debug-overrides>
</network-security-config>
`;

const numbered = (steps: readonly string[]): string => steps.map((step, index) => `${String(index + 1).padStart(2)}. ${step}`).join('\n');

/** The download addresses and the QR code of the first, as the phone guidance shows them. */
function downloadBlock(env: TargetEnv): string {
  const [first, ...others] = env.downloadUrls;
  if (!first) return '';
  const lines = [`Download page: ${first}`, ...others.map((url) => `           or: ${url}`), '', terminalQr(first)];
  return `${lines.join('\n')}\n`;
}

function guidancePlan(target: 'ios' | 'android', action: 'install' | 'uninstall', env: TargetEnv, steps: string[], files: Step[], notes: string[]): Plan {
  const device = target === 'ios' ? 'an iPhone or iPad' : 'an Android device';
  const title = `${action === 'install' ? 'Install' : 'Remove'} ${env.ca.commonName} ${action === 'install' ? 'on' : 'from'} ${device}: nothing can do this from here, so do it on the device:`;
  const footer = action === 'install' ? `\n${downloadBlock(env)}\nThe page shows the SHA-256 fingerprint; it must read ${env.ca.sha256}.\n` : '\n';
  return {
    target,
    summary: `${action} ${env.ca.commonName} ${action === 'install' ? 'on' : 'from'} ${device}`,
    needsRoot: false,
    steps: files,
    notes,
    guidance: `${title}\n${numbered(steps)}\n${footer}`,
  };
}

const proxySteps = (env: TargetEnv, where: string): string =>
  `Start capture on this computer ("capture start") and join the device to the same Wi-Fi; on the device open ${where} and set the proxy to Manual, server and port ${env.proxyAddress}.`;

/** iPhone and iPad: guidance only (a profile must be installed and then trusted by hand). */
export const ios: Target = {
  name: 'ios',
  title: 'an iPhone or iPad',
  kind: 'device',
  async stores() {
    return [];
  },
  plan(action, env): Plan {
    if (action === 'uninstall') {
      return guidancePlan('ios', action, env, [
        `Open Settings > General > VPN & Device Management and tap the profile "${env.ca.commonName}".`,
        'Tap Remove Profile and enter the passcode.',
        'Remove the HTTP proxy from the Wi-Fi network (Settings > Wi-Fi > (i) > Configure Proxy > Off).',
      ], [], []);
    }
    return guidancePlan('ios', action, env, [
      proxySteps(env, 'Settings > Wi-Fi > (i) next to the network > Configure Proxy'),
      'Open Safari (other browsers cannot install profiles) at http://capture.proxy/, or scan the QR code below with the Camera, and tap "Download the certificate"; allow the download.',
      `Open Settings > Profile Downloaded (or General > VPN & Device Management), tap "${env.ca.commonName}", tap Install and enter the passcode.`,
      'Tap Install again at the warning, then Done.',
      `Open Settings > General > About > Certificate Trust Settings and turn on full trust for "${env.ca.commonName}"; tap Continue.`,
      'Reload the page: HTTPS from Safari and apps now shows in capture.',
    ], [], []);
  },
};

/** Android: guidance, and the app-side network security config written with `--out DIR`. */
export const android: Target = {
  name: 'android',
  title: 'an Android device',
  kind: 'device',
  async stores() {
    return [];
  },
  plan(action, env): Plan {
    if (action === 'uninstall') {
      return guidancePlan('android', action, env, [
        'Open Settings > Security (or Security & privacy) > More security settings > Encryption & credentials > User credentials.',
        `Tap "${env.ca.commonName}" and Remove (or find it under Trusted credentials > User and turn it off).`,
        'Remove the proxy from the Wi-Fi network (Wi-Fi > the network > Edit > Advanced options > Proxy: None).',
      ], [], []);
    }
    const configFile = env.out ? path.join(env.out, NETWORK_SECURITY_CONFIG_FILE) : undefined;
    return guidancePlan('android', action, env, [
      proxySteps(env, 'Settings > Network & internet > Wi-Fi > the network > Edit (pencil) > Advanced options > Proxy'),
      'Open http://capture.proxy/ in Chrome, or scan the QR code below, and download the certificate (capture-proxy-ca.crt).',
      'Open Settings > Security (or Security & privacy) > More security settings > Encryption & credentials > Install a certificate > CA certificate.',
      'Tap Install anyway and pick the downloaded file; browsers on the device now trust capture.',
      configFile
        ? `Apps trust user CAs only when they opt in (Android 7 and later): add ${configFile} to the app as res/xml/${NETWORK_SECURITY_CONFIG_FILE} and reference it from AndroidManifest.xml, as its comment says.`
        : `Apps trust user CAs only when they opt in (Android 7 and later): run "capture ca install --target android --out DIR" to write ${NETWORK_SECURITY_CONFIG_FILE} for the app's res/xml/ folder.`,
    ], env.out && configFile ? [{ type: 'mkdir', path: env.out }, { type: 'write', path: configFile, contents: NETWORK_SECURITY_CONFIG }] : [], []);
  },
};
