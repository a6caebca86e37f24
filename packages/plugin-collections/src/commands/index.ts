import { PluginError, type CommandInput, type CommandSpec } from '@capture/core';
import { PLUGIN_NAME, type ResolvedCollectionsOptions } from '../options.js';

// Each command's module (cli-table3, the collection parser) loads when that command runs, not
// whenever the plugin is created.

const NAME_ARGUMENT = { name: 'name', description: 'the collection: its name, its file name (my-app), or a path to its file', required: true };

/**
 * The `capture collection` command and its subcommands. They read the files of the data folder
 * and, when the config names one elsewhere, the plugin's `file`.
 */
export function collectionCommands(options: ResolvedCollectionsOptions): CommandSpec[] {
  return [
    {
      name: 'collection',
      description: 'list, show and export the Postman collections capture saves to',
      subcommands: [
        {
          name: 'list',
          description: 'list collections: name, request count, last change and file',
          options: [{ flags: '--json', description: 'print JSON instead of a table' }],
          run: named('collection list', async (input) => (await import('./list.js')).runList(input, options.file)),
        },
        {
          name: 'show',
          description: 'show a collection\'s folders and requests as a tree',
          arguments: [NAME_ARGUMENT],
          run: named('collection show', async (input) => (await import('./show.js')).runShow(input, options.file)),
        },
        {
          name: 'export',
          description: 'print a collection (Postman Collection v2.1.0 JSON) or write it to a file',
          arguments: [NAME_ARGUMENT],
          options: [{ flags: '-o, --output <file>', description: 'write to this file instead of stdout' }],
          run: named('collection export', async (input) => (await import('./export.js')).runExport(input, options.file)),
        },
      ],
    },
  ];
}

/**
 * A command's `run` whose errors name the plugin (`collections: no collection "x" …`), worded
 * by core's `PluginError` like errors from `apply` and `report`, not prefixed by hand. The CLI
 * runs commands without wrapping them; an error already attributed is passed on as it is.
 */
function named(command: string, run: (input: CommandInput) => Promise<number>): (input: CommandInput) => Promise<number> {
  return async (input) => {
    try {
      return await run(input);
    } catch (error) {
      throw PluginError.from(PLUGIN_NAME, command, error);
    }
  };
}
