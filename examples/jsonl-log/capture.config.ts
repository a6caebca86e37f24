import { defineConfig } from '@capture/core';
import https from '@capture/plugin-https';
import filters from '@capture/plugin-filters';
import jsonlLog from './jsonl-log.js';

// No history: every exchange goes to <data folder>/exchanges.jsonl only. Follow it with
// `tail -f ~/.capture/exchanges.jsonl | jq .` (or your CAPTURE_HOME).
export default defineConfig({
  plugins: [https(), filters({ excludeAssets: true }), jsonlLog({ file: 'exchanges.jsonl' })],
});
