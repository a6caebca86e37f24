import { execFile, execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCliProcess, startCli, tempProject, type CliProcess } from './helpers/cli-process.js';
import { startHttpsOrigin, type HttpsOrigin } from './helpers/https-origin.js';

// `capture env` is printed for a capture already running: each test evals it in a real shell
// where one is installed, then runs a client there with no proxy or CA options of its own.

let project: ReturnType<typeof tempProject>;
let origin: HttpsOrigin;
let capture: CliProcess;
let port: number;
/** A user NODE_OPTIONS with a quote in it: what capture appends to must survive each shell's quoting. */
const USER_NODE_OPTIONS = "--title=capture's-test";
const home = () => `${project.dir}/.capture-home`;

const installed = (command: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  project = tempProject();
  origin = await startHttpsOrigin(project.dir);
  capture = startCli(['start', '--port', '0', '--host', '127.0.0.1', '--no-web', '--json'], { cwd: project.dir, env: { NODE_EXTRA_CA_CERTS: origin.certFile } });
  port = Number((await capture.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/, 'stderr'))[1]);
});

afterAll(async () => {
  if (capture && capture.child.exitCode === null) {
    capture.child.kill('SIGTERM');
    await capture.exited;
  }
  await origin?.close();
  project?.cleanup();
});

/** Runs a shell script with the test's environment (capture's data folder, the user's NODE_OPTIONS). */
function shell(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, CAPTURE_HOME: home(), NO_COLOR: '1', NODE_OPTIONS: USER_NODE_OPTIONS, HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '', CAPTURE_BIN: BIN };
  return new Promise((resolve) => {
    execFile(command, args, { env, cwd: project.dir, timeout: 20_000 }, (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

const env = (shellName: string, extra: string[] = []) => runCliProcess(['env', '--port', String(port), '--shell', shellName, ...extra], { cwd: project.dir, env: { NODE_OPTIONS: USER_NODE_OPTIONS } });

/** The variables a bash eval of `capture env` leaves, as a map. */
async function bashValues(): Promise<Map<string, string>> {
  // An eval of nothing succeeds: a failing capture env must fail the script instead.
  const result = await shell('bash', ['-c', `out="$(node "$CAPTURE_BIN" env --port ${port} --shell bash)" || exit 9; eval "$out" && env -0`]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return new Map(result.stdout.split('\0').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

describe('capture env', () => {
  it('bash: eval "$(capture env)" routes curl through the running capture and trusts its CA; --unset removes it all', async () => {
    const url = `https://localhost:${origin.port}/bash-curl`;
    const result = await shell('bash', ['-c', `eval "$(node "$CAPTURE_BIN" env --port ${port})" && curl -sS ${url} && node -e "process.stdout.write(process.env.NODE_OPTIONS)"`]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`^origin saw /bash-curl\\n${USER_NODE_OPTIONS} --require \\S+/dist/preload/node-proxy\\.cjs$`));
    await capture.waitFor(new RegExp(`"url":"${url}"`), 'stdout');

    const values = await bashValues();
    expect(values.get('HTTPS_PROXY')).toBe(`http://127.0.0.1:${port}`);
    expect(values.get('NO_PROXY')).toBe('');
    expect(values.get('SSL_CERT_FILE')).toBe(`${home()}/env/ca-bundle.pem`);

    const unset = await shell('bash', ['-c', `eval "$(node "$CAPTURE_BIN" env --port ${port})" && eval "$(node "$CAPTURE_BIN" env --unset --shell bash)" && env`]);
    expect(unset.code).toBe(0);
    for (const name of ['HTTP_PROXY', 'https_proxy', 'SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS', 'WGETRC', 'NODE_USE_ENV_PROXY']) expect(unset.stdout).not.toMatch(new RegExp(`^${name}=`, 'm'));
    // The user's own NODE_OPTIONS stays.
    expect(unset.stdout).toMatch(new RegExp(`^NODE_OPTIONS=${USER_NODE_OPTIONS}$`, 'm'));
  });

  it.skipIf(!installed('fish'))('fish: capture env --shell fish | source gives the same values, and curl works there', async () => {
    const url = `https://localhost:${origin.port}/fish-curl`;
    const result = await shell('fish', ['-c', `node $CAPTURE_BIN env --port ${port} --shell fish | source; and curl -sS ${url}; and env`]);
    expect(result.stdout).toContain('origin saw /fish-curl\n');
    const expected = await bashValues();
    for (const name of ['HTTPS_PROXY', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'npm_config_cafile']) {
      expect(result.stdout).toMatch(new RegExp(`^${name}=${escape(expected.get(name)!)}$`, 'm'));
    }
    const unset = await shell('fish', ['-c', `node $CAPTURE_BIN env --port ${port} --shell fish | source; node $CAPTURE_BIN env --unset --shell fish | source; env`]);
    expect(unset.stdout).not.toMatch(/^HTTPS_PROXY=/m);
  });

  it('zsh uses POSIX quoting; powershell and cmd lines parse back to the same values', async () => {
    const expected = await bashValues();
    const zsh = (await env('zsh')).stdout;
    expect(zsh).toContain(`export NODE_OPTIONS='--title=capture'\\''s-test --require `);

    const powershell = parse((await env('powershell')).stdout, /^\$env:(\w+) = '((?:[^']|'')*)'$/, (value) => value.replaceAll("''", "'"));
    const cmd = parse((await env('cmd')).stdout, /^set "(\w+)=(.*)"$/, (value) => value);
    for (const parsed of [powershell, cmd]) {
      expect(parsed.get('HTTPS_PROXY')).toBe(expected.get('HTTPS_PROXY'));
      expect(parsed.get('NODE_OPTIONS')).toBe(expected.get('NODE_OPTIONS'));
      expect(parsed.get('SSL_CERT_FILE')).toBe(expected.get('SSL_CERT_FILE'));
      expect(parsed.get('NO_PROXY')).toBe('');
    }
    expect((await env('powershell', ['--unset'])).stdout).toContain('Remove-Item Env:HTTPS_PROXY -ErrorAction SilentlyContinue');
    expect((await env('cmd', ['--unset'])).stdout).toContain('set "HTTPS_PROXY="');
  });

  it('--no-proxy keeps hosts out; a port nothing listens on is said on stderr', async () => {
    const kept = await env('bash', ['--no-proxy', 'internal.example,.corp', '--no-proxy', 'db.local']);
    expect(kept.stdout).toContain("export NO_PROXY='internal.example,.corp,db.local'");
    const idle = await runCliProcess(['env', '--port', '1', '--shell', 'bash'], { cwd: project.dir });
    expect(idle.code).toBe(0);
    expect(idle.stderr).toContain('nothing listens on 127.0.0.1:1');
  });
});

function parse(output: string, line: RegExp, unquote: (value: string) => string): Map<string, string> {
  const values = new Map<string, string>();
  for (const text of output.split(/\r?\n/)) {
    const match = line.exec(text);
    if (match) values.set(match[1]!, unquote(match[2]!));
  }
  return values;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
