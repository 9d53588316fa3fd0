// Builds build/node (the PDF worker thread bundle, see src/lib/server/pdf/pdf-inspect.ts) once before
// any test file starts, when it is missing or older than its sources: tests then start the same
// worker file the server and the CLI run, and parallel test files never rebuild it side by side.
import { ensureNodeBuildInChild } from './node-build.mjs';

export default async function setup(): Promise<void> {
	await ensureNodeBuildInChild();
}
