#!/usr/bin/env node
// `sealpass`: a thin launcher. The CLI is TypeScript (src/lib/server/pdf/cli.ts) bundled by
// vite.node.config.ts into build/node/cli.mjs; this builds that bundle first when it is missing or
// older than its sources (as scripts/start.mjs does for the app), then runs it. Build messages go
// to stderr so stdout stays machine-readable JSON. SEALPASS_SKIP_BUILD=1 skips the check.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CLI_BUNDLE, ensureNodeBuild } from '../scripts/node-build.mjs';

if (process.env.SEALPASS_SKIP_BUILD !== '1') {
	try {
		await ensureNodeBuild();
	} catch (error) {
		// Without dev dependencies (no Vite) an existing bundle is still better than nothing.
		const reason = error instanceof Error ? error.message : String(error);
		if (!existsSync(CLI_BUNDLE)) {
			console.error(`sealpass: cannot build ${CLI_BUNDLE}: ${reason}`);
			process.exit(1);
		}
		console.error(`sealpass: warning: rebuilding failed (${reason}); using the existing bundle.`);
	}
}

if (!existsSync(CLI_BUNDLE)) {
	console.error(`sealpass: ${CLI_BUNDLE} is missing; run \`npm run build:node\`.`);
	process.exit(1);
}
const { main } = await import(pathToFileURL(CLI_BUNDLE).href);
// exitCode, not exit(): stdout is flushed before the process ends.
process.exitCode = await main(process.argv.slice(2));
