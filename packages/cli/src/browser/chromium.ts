/** What the Chromium family's switches are made from. */
export interface ChromiumLaunch {
  /** The proxy, `http://127.0.0.1:PORT` (Chromium takes no credentials here). */
  readonly proxy: string;
  /** The CA's SPKI pin (base64 SHA-256), trusted for this profile only; undefined without HTTPS interception. */
  readonly spkiSha256: string | undefined;
  /** The fresh profile folder. */
  readonly profile: string;
  /** Without a window. */
  readonly headless: boolean;
  /** The page to open. */
  readonly url: string | undefined;
  /** True when running as root, where Chromium refuses to start without `--no-sandbox`. */
  readonly root: boolean;
}

/**
 * Features that make a fresh profile call Google's services on its own (safe browsing lists,
 * optimization guide hints and models, translate, the media router, autofill, CT log updates):
 * as a new user tried it, Debian's Chromium filled history with them.
 */
export const QUIET_FEATURES = [
  'SafeBrowsing',
  'OptimizationHints',
  'OptimizationHintsFetching',
  'OptimizationGuideModelDownloading',
  'OptimizationTargetPrediction',
  'Translate',
  'MediaRouter',
  'AutofillServerCommunication',
  'CertificateTransparencyComponentUpdater',
  'InterestFeedContentSuggestions',
  'NetworkTimeServiceQuerying',
  // The omnibox's AI mode asks www.google.com whether it may show itself.
  'AimEnabled',
  'AimServerEligibilityEnabled',
  'MediaEngagementBypassAutoplayPolicies',
] as const;

/**
 * The switches that start a Chromium-family browser through capture with a throw-away profile:
 * every request (loopback included, `<-loopback>`) to the proxy, the CA trusted by its key pin
 * for this run only (which needs capture to send the CA in the chain), no first-run screens and
 * none of the browser's own background traffic. Headless with a URL dumps the page once it has
 * loaded and exits, which is what closes `capture browser --headless URL`.
 */
export function chromiumArgs(launch: ChromiumLaunch): string[] {
  const args = [
    `--proxy-server=${launch.proxy}`,
    '--proxy-bypass-list=<-loopback>',
    ...(launch.spkiSha256 ? [`--ignore-certificate-errors-spki-list=${launch.spkiSha256}`] : []),
    `--user-data-dir=${launch.profile}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-domain-reliability',
    '--disable-client-side-phishing-detection',
    '--disable-default-apps',
    '--disable-breakpad',
    '--no-pings',
    '--metrics-recording-only',
    '--safebrowsing-disable-auto-update',
    // Field trials switch features on (and their requests) that the list below cannot name.
    '--disable-field-trial-config',
    '--disable-component-extensions-with-background-pages',
    '--disable-search-engine-choice-screen',
    '--no-service-autorun',
    // A fresh profile must not ask the desktop's keyring for a password store.
    '--password-store=basic',
    '--use-mock-keychain',
    `--disable-features=${QUIET_FEATURES.join(',')}`,
  ];
  if (launch.headless) args.push('--headless', '--disable-gpu');
  if (launch.headless || launch.root) args.push('--no-sandbox');
  if (launch.headless && launch.url) args.push('--dump-dom');
  if (launch.url) args.push(launch.url);
  return args;
}
