import path from 'node:path';
import { describe, expect, it } from 'vitest';
import osCerts from './index.js';
import { resolveOsCertsOptions } from './options.js';

describe('os-certs options', () => {
  it('fills defaults and makes folders absolute', () => {
    expect(resolveOsCertsOptions({})).toEqual({ nssDb: undefined, firefoxProfiles: undefined, port: 5555 });
    expect(resolveOsCertsOptions({ nssDb: 'db', firefoxProfiles: 'ff', port: 8080 })).toEqual({ nssDb: path.resolve('db'), firefoxProfiles: [path.resolve('ff')], port: 8080 });
  });

  it('names the option and the bad value', () => {
    expect(() => resolveOsCertsOptions({ port: 70000 })).toThrow('os-certs: option "port": expected a port number (1-65535), got 70000');
    expect(() => resolveOsCertsOptions({ nssDb: 3 })).toThrow('os-certs: option "nssDb": expected a folder path, got 3');
    expect(() => resolveOsCertsOptions({ nssdb: 'x' })).toThrow('os-certs: unknown option "nssdb" (known: nssDb, firefoxProfiles, port)');
    expect(() => resolveOsCertsOptions('x')).toThrow('os-certs: expected an options object, got "x"');
  });

  it('the plugin depends on https, adds only the ca commands, and taps nothing', () => {
    const plugin = osCerts();
    expect(plugin.name).toBe('os-certs');
    expect(plugin.dependencies).toEqual(['https']);
    expect(plugin.commands!.map((command) => [command.name, command.subcommands!.map((sub) => sub.name)])).toEqual([['ca', ['install', 'uninstall', 'status']]]);
    expect(plugin.reconfigure!({ port: 1 })).toMatchObject({ name: 'os-certs' });
    expect(() => plugin.reconfigure!({ port: 0 })).toThrow('option "port"');
  });
});
