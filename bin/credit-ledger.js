#!/usr/bin/env node
// Entry point of the `credit-ledger` command; the code is compiled to dist/ by `npm run build`.
const path = require('node:path');
const fs = require('node:fs');
const main = path.join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!fs.existsSync(main)) {
  console.error('credit-ledger is not built yet: run `npm run build` (or `npm run cli -- --help`).');
  process.exit(1);
}
require(main).buildCli().parseAsync(process.argv).catch((err) => {
  console.error(`error: ${err.message}`);
  process.exit(1);
});
