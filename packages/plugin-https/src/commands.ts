import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CaptureError, type CommandContext, type CommandSpec } from '@capture/core';
import { caInfo, type CaInfo } from './ca-info.js';
import { ensureCa, regenerateCa } from './ca-store.js';

const REINSTALL = 'devices that trusted the old CA must install the new one (open http://capture.proxy/ on them, or run "capture ca install"); a running capture signs with and serves the new one at once';

/** `capture ca path|show|export|regenerate`: the CA basics (installing it is the os-certs plugin's). */
export function caCommands(): CommandSpec[] {
  return [
    {
      name: 'ca',
      description: "manage capture's certificate authority (the CA devices trust for HTTPS capture)",
      subcommands: [
        {
          name: 'path',
          description: 'print the path of the CA certificate (creates the CA if there is none)',
          async run({ context }) {
            const info = await currentCa(context);
            context.stdout.write(`${info.certPath}\n`);
          },
        },
        {
          name: 'show',
          description: 'print the CA certificate: subject, SHA-256 fingerprint, validity and path',
          async run({ context }) {
            const info = await currentCa(context);
            context.stdout.write(describeCa(info));
          },
        },
        {
          name: 'export',
          description: 'write the CA certificate as PEM or DER to stdout or a file',
          options: [
            { flags: '--format <format>', description: 'pem or der', defaultValue: 'pem', choices: ['pem', 'der'] },
            { flags: '-o, --output <file>', description: 'write to this file instead of stdout' },
          ],
          async run({ options, context }) {
            const info = await currentCa(context);
            const bytes = options.format === 'der' ? info.certDer : Buffer.from(info.certPem);
            const output = options.output as string | undefined;
            if (output) {
              const file = path.resolve(output);
              try {
                await fs.writeFile(file, bytes);
              } catch (error) {
                throw new CaptureError('EXPORT_FAILED', `cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
              }
              context.stderr.write(`wrote the CA certificate (${String(options.format).toUpperCase()}) to ${file}\n`);
              return;
            }
            if (options.format === 'der' && context.isTTY) {
              throw new CaptureError('USAGE', 'DER is binary: write it to a file with -o FILE, or pipe it');
            }
            context.stdout.write(bytes);
          },
        },
        {
          name: 'regenerate',
          description: 'replace the CA with a new one (devices must then reinstall it; asks first)',
          options: [{ flags: '-y, --yes', description: 'do not ask' }],
          async run({ options, context }) {
            if (!options.yes) {
              if (!context.interactive) {
                throw new CaptureError('USAGE', 'ca regenerate replaces the CA every device trusts for HTTPS capture: add --yes to confirm (no terminal to ask on)');
              }
              const question = 'Replace the CA? Every device and browser that trusts the current one must install the new one.';
              if (!(await context.confirm(question))) {
                context.stderr.write('the CA was left as it is\n');
                return 1;
              }
            }
            const info = caInfo(await regenerateCa(context.dataDir));
            context.stdout.write(`created a new CA\n${describeCa(info)}${REINSTALL}\n`);
          },
        },
      ],
    },
  ];
}

async function currentCa(context: CommandContext): Promise<CaInfo> {
  const { ca, created } = await ensureCa(context.dataDir);
  if (created) context.stderr.write(`created a new CA at ${ca.paths.cert}\n`);
  return caInfo(ca);
}

function describeCa(info: CaInfo): string {
  return [
    `subject:     ${info.subject}`,
    `SHA-256:     ${info.fingerprint}`,
    `SPKI pin:    ${info.spkiSha256} (for --ignore-certificate-errors-spki-list)`,
    `valid from:  ${info.validFrom.toISOString()}`,
    `valid until: ${info.validTo.toISOString()}`,
    `certificate: ${info.certPath}`,
    '',
  ].join('\n');
}
