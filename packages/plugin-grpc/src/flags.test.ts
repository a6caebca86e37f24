import path from 'node:path';
import { expect, it } from 'vitest';
import grpc from './index.js';

it('--proto and --proto-path add to the configured files, resolved from the working directory', () => {
  const plugin = grpc({ protoFiles: 'a.proto' });
  const [proto, protoPath] = plugin.flags!;
  const files = proto!.parse!('b.proto', proto!.parse!('c.proto', undefined));
  const next = plugin.reconfigure!({ ...proto!.toOptions(files), ...protoPath!.toOptions(protoPath!.parse!('inc', undefined)) });
  expect(next.api!.options.protoFiles).toEqual(['a.proto', 'c.proto', 'b.proto'].map((file) => path.resolve(file)));
  expect(next.api!.options.protoPaths).toEqual([path.resolve('inc')]);
});

it('rejects bad options naming the option', () => {
  expect(() => grpc({ protoFiles: [3 as unknown as string] })).toThrow(/grpc: option "protoFiles/);
  expect(() => grpc({ maxMessages: 0 })).toThrow(/grpc: option "maxMessages"/);
});
