import path from 'node:path';
import { CaptureError, type CommandContext, type CommandOptionSpec, type CommandSpec } from '@capture/core';
import { caForCommand } from './ca.js';
import { systemTarget } from './detect.js';
import { processHost, type Host } from './host.js';
import { linuxFamily, type OsRelease } from './os-release.js';
import { portSchema, type ResolvedOsCertsOptions } from './options.js';
import { runPlan } from './runner.js';
import { findFirefoxProfiles, firefoxProfileRoots } from './targets/firefox.js';
import { hasNssDb } from './targets/nss-db.js';
import { nssDbFolder } from './targets/nss.js';
import { TARGETS, TARGET_NAMES, type Action, type Store, type TargetEnv, type TargetName } from './targets/index.js';
import { statusRows, formatStatus, type StatusRow } from './status.js';

const TARGET_OPTION: CommandOptionSpec = {
  flags: '--target <target>',
  description: `where: ${TARGET_NAMES.join(', ')} (default: this machine's system store)`,
  choices: [...TARGET_NAMES],
};
const NSS_DB_OPTION: CommandOptionSpec = { flags: '--nss-db <dir>', description: 'the NSS database for --target nss (default ~/.pki/nssdb)' };
const DRY_RUN_OPTION: CommandOptionSpec = { flags: '--dry-run', description: 'print the commands that would run, change nothing' };

/**
 * `capture ca install|uninstall|status`, joining the `ca` group the HTTPS plugin starts (the CLI
 * merges groups of the same name). `host` replaces the machine in tests.
 */
export function osCertsCommands(resolved: ResolvedOsCertsOptions, host: Partial<Host> = {}): CommandSpec[] {
  return [
    {
      name: 'ca',
      description: "manage capture's certificate authority (the CA devices trust for HTTPS capture)",
      subcommands: [
        {
          name: 'install',
          description: 'trust the CA in a system, browser or phone store (the system store of this machine by default)',
          options: [
            TARGET_OPTION,
            DRY_RUN_OPTION,
            NSS_DB_OPTION,
            { flags: '--out <dir>', description: `--target android: write ${'network_security_config.xml'} for the app into this folder` },
            { flags: '--port <port>', description: 'the port capture listens on, for the phone guidance (default 5555)' },
          ],
          run: ({ options, context }) => act('install', options, context, resolved, processHost(host)),
        },
        {
          name: 'uninstall',
          description: 'remove the CA (and older capture CAs) from a store (the system store of this machine by default)',
          options: [TARGET_OPTION, DRY_RUN_OPTION, NSS_DB_OPTION],
          run: ({ options, context }) => act('uninstall', options, context, resolved, processHost(host)),
        },
        {
          name: 'status',
          description: "show, per store on this machine, whether the CA is installed (found by fingerprint), with the browsers' stores",
          options: [TARGET_OPTION, NSS_DB_OPTION, { flags: '--json', description: 'print JSON' }],
          run: ({ options, context }) => status(options, context, resolved, processHost(host)),
        },
      ],
    },
  ];
}

async function act(action: Action, options: Record<string, unknown>, context: CommandContext, resolved: ResolvedOsCertsOptions, host: Host): Promise<number> {
  const { env, release } = await targetEnv(options, context, resolved, host);
  const name = (options.target as TargetName | undefined) ?? systemTarget(host.platform, release);
  if (!name) throw unknownSystem(host, release);
  const target = TARGETS[name];
  const stores = await target.stores(env);
  if (options.dryRun === true) {
    for (const store of stores.filter((entry) => entry.problem)) {
      context.stderr.write(`could not inspect ${store.location}: ${store.problem}; the plan assumes no capture CA is there\n`);
    }
  }
  const plan = target.plan(action, env, stores);
  await runPlan(plan, { dryRun: options.dryRun === true, elevated: env.elevated, exec: env.exec, stdout: context.stdout, stderr: context.stderr });
  if (action === 'install' && target.kind === 'system' && host.platform === 'linux' && options.dryRun !== true) {
    const browsers = await browserStoresHint(env);
    if (browsers) context.stderr.write(browsers);
  }
  return 0;
}

async function status(options: Record<string, unknown>, context: CommandContext, resolved: ResolvedOsCertsOptions, host: Host): Promise<number> {
  const { env, release } = await targetEnv(options, context, resolved, host);
  const chosen = options.target as TargetName | undefined;
  const names: TargetName[] = chosen ? [chosen] : [systemTarget(host.platform, release), 'nss' as const, 'firefox' as const].filter((name): name is TargetName => name !== undefined);
  const found: Array<{ target: TargetName; store: Store }> = [];
  for (const name of names) {
    for (const store of await TARGETS[name].stores(env)) {
      // Browser stores are listed when they exist; a named target is always reported.
      if (TARGETS[name].kind === 'browser' && !store.exists && !chosen) continue;
      found.push({ target: name, store });
    }
  }
  const rows: StatusRow[] = statusRows(env, found);
  if (options.json === true) {
    context.stdout.write(`${JSON.stringify({ ca: { commonName: env.ca.commonName, sha256: env.ca.sha256, sha1: env.ca.sha1, path: env.ca.path }, stores: rows }, null, 2)}\n`);
  } else {
    context.stdout.write(formatStatus(env, rows, chosen ? undefined : systemTarget(host.platform, release) === undefined ? describeSystem(host, release) : undefined));
  }
  return 0;
}

async function targetEnv(options: Record<string, unknown>, context: CommandContext, resolved: ResolvedOsCertsOptions, host: Host): Promise<{ env: TargetEnv; release: OsRelease | undefined }> {
  const port = options.port === undefined ? resolved.port : parsePort(options.port);
  const ca = await caForCommand(context);
  const release = await host.osRelease();
  const lan = host.lanAddresses();
  const env: TargetEnv = {
    ca,
    root: host.root,
    home: host.home,
    platform: host.platform,
    elevated: await host.isElevated(),
    family: release ? linuxFamily(release) : undefined,
    exec: host.exec,
    nssDb: typeof options.nssDb === 'string' ? path.resolve(options.nssDb) : resolved.nssDb,
    firefoxProfiles: resolved.firefoxProfiles,
    appData: host.appData,
    out: typeof options.out === 'string' ? path.resolve(options.out) : undefined,
    downloadUrls: [...lan.map((address) => `http://${address}:${port}/ca`), 'http://capture.proxy/ (with the proxy set)'],
    proxyAddress: `${lan[0] ?? "this computer's address"}:${port}`,
  };
  return { env, release };
}

function parsePort(value: unknown): number {
  const parsed = portSchema.safeParse(Number(value));
  if (!parsed.success || !/^\d+$/.test(String(value))) throw new CaptureError('USAGE', `--port expects a port number (1-65535), got "${String(value)}"`);
  return parsed.data;
}

function describeSystem(host: Host, release: OsRelease | undefined): string {
  if (host.platform === 'linux') return release ? `${release.name} (ID=${release.id}${release.idLike.length ? `, ID_LIKE=${release.idLike.join(' ')}` : ''})` : 'a Linux without /etc/os-release';
  return `platform ${host.platform}`;
}

function unknownSystem(host: Host, release: OsRelease | undefined): CaptureError {
  return new CaptureError('USAGE', `no system store is known for ${describeSystem(host, release)}; choose one with --target (${TARGET_NAMES.join(', ')})`);
}

/** After a Linux system install: Chrome and Firefox there keep their own stores, so point at them. */
async function browserStoresHint(env: TargetEnv): Promise<string | undefined> {
  const lines: string[] = [];
  if (await hasNssDb(nssDbFolder(env))) lines.push('  capture ca install --target nss       (Chrome and Chromium)');
  if ((await findFirefoxProfiles(firefoxProfileRoots(env))).length) lines.push('  capture ca install --target firefox   (Firefox)');
  return lines.length ? `browsers on Linux keep their own certificate stores; for them also run:\n${lines.join('\n')}\n` : undefined;
}
