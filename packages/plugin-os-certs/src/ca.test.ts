import { describe, expect, it } from 'vitest';
import { CaptureError } from '@capture/core';
import { caForCommand } from './ca.js';
import { commandContext, tempDir } from '../test/helpers/env.js';

describe('caForCommand', () => {
  it('asks the https plugin for the CA, which creates it on a fresh data folder', async () => {
    const folder = tempDir();
    try {
      const ca = await caForCommand(commandContext(folder.dir));
      expect(ca.pem).toContain('-----BEGIN CERTIFICATE-----');
      expect(ca.commonName).toMatch(/^capture proxy CA /);
      // Where the file is, is the https plugin's to say; os-certs only passes it on.
      expect(ca.path.startsWith(folder.dir)).toBe(true);
    } finally {
      folder.cleanup();
    }
  });

  it('without the https plugin, says the CA is its and that it is not loaded', async () => {
    const folder = tempDir();
    try {
      const context = { ...commandContext(folder.dir), plugin: () => undefined };
      const failed = await caForCommand(context).then(() => undefined, (error: unknown) => error);
      expect(failed).toBeInstanceOf(CaptureError);
      expect((failed as CaptureError).code).toBe('PLUGIN_DEPENDENCY_MISSING');
      expect((failed as Error).message).toContain('@capture/plugin-https is not loaded');
    } finally {
      folder.cleanup();
    }
  });
});
