import crypto from 'node:crypto';
import { Stage, type CapturePlugin } from '@capture/core';
import type { CliIo } from '../io.js';
import type { LoadedConfig } from '../load-config.js';
import { createSession, stderrColours, type Session, type StartFlags } from './session.js';

/** The user name of `capture run`'s per-launch proxy credentials (the password is random per launch). */
export const RUN_USERNAME = 'capture';

/** A capture started for one program (`capture run`, `capture browser`): listening, its banner on stderr. */
export interface ProgramSession {
  readonly session: Session;
  /** The proxy URL the program uses: per-launch credentials that tag its exchanges with `source`. */
  readonly proxyUrl: string;
  /** The proxy address without credentials (`http://127.0.0.1:PORT`), for programs that cannot send them. */
  readonly address: string;
  /** How many exchanges with the program's source were captured so far (complete once closed). */
  captured(): number;
  /** Stops tagging, closes capture (finishing its exchanges). */
  close(): Promise<void>;
}

/**
 * Starts capture for one program as `capture start` would (the same config, plugins and
 * flags), on a free loopback port unless `--port`/`--host` say otherwise, with the banner and
 * the live log on stderr so the program's stdout stays its own. Requests that bring the
 * per-launch credentials are tagged `source` (e.g. `run:npm`); the credentials never leave capture.
 */
export async function startProgramSession(loaded: LoadedConfig, flags: StartFlags, plugins: readonly CapturePlugin[], io: CliIo, source: string): Promise<ProgramSession> {
  let captured = 0;
  const counter: CapturePlugin = {
    name: 'program-source',
    apply(proxy) {
      proxy.hooks.onExchange.tap({ name: 'program-source', stage: Stage.OBSERVE }, (exchange) => {
        if (exchange.source === source) captured++;
      });
    },
  };
  const session = await createSession(loaded, flags, plugins, io, { banner: io.stderr, log: io.stderr, colours: stderrColours(io) }, { port: 0, host: '127.0.0.1' }, [counter]);
  const info = await session.listen();
  const token = crypto.randomBytes(18).toString('base64url');
  const remove = session.proxy.addClientSource(RUN_USERNAME, token, source);
  // A proxy listening on all interfaces is still reached on loopback by a program on this machine.
  const host = info.host === '0.0.0.0' || info.host === '::' ? '127.0.0.1' : info.host.includes(':') ? `[${info.host}]` : info.host;
  return {
    session,
    proxyUrl: `http://${RUN_USERNAME}:${token}@${host}:${info.port}`,
    address: `http://${host}:${info.port}`,
    captured: () => captured,
    async close() {
      remove();
      await session.proxy.close();
    },
  };
}
