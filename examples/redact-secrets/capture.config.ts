import { defineConfig } from '@capture/core';
import https from '@capture/plugin-https';
import filters from '@capture/plugin-filters';
import history from '@capture/plugin-history';
import redactSecrets from './redact-secrets.js';

// Listing plugins replaces the CLI's defaults. redact-secrets runs at Stage.TRANSFORM, so it
// masks secrets before history (Stage.STORAGE) saves anything, wherever it sits in this list.
export default defineConfig({
  plugins: [https(), filters(), history(), redactSecrets({ queryParams: ['token', 'api_key'] })],
});
