// The workspace's templates and static files are not TypeScript: `npm run build` copies them beside the
// compiled code, where the workspace looks for them (next to its own module).
const { cpSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
for (const dir of ['views', 'public']) {
  const from = join(root, 'apps/ledger/src/workspace', dir);
  cpSync(from, join(root, 'dist/apps/ledger/src/workspace', dir), { recursive: true });
}
