import { defineConfig } from '@capture/core';
import https from '@capture/plugin-https';
import filters from '@capture/plugin-filters';
import collections from '@capture/plugin-collections';

// Build a Postman collection of an API while you use the app: one folder per domain, one per
// endpoint inside it, each request with its response saved as an example. The file is
// <data folder>/collections/my-api.postman_collection.json; import it into Postman.
export default defineConfig({
  plugins: [
    https(),
    filters({ excludeAssets: true }),
    collections({ name: 'My API', groupBy: ['domain', 'endpoint'], saveResponses: true }),
  ],
});
