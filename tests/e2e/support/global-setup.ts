import { startServer } from '../../../scripts/server-process.mjs';

/**
 * One shared server for the tests that need no pristine database. Its URL reaches the workers
 * through the environment (they are started after this runs).
 */
export default async function globalSetup() {
	const server = await startServer();
	process.env.SEALPASS_URL = server.url;
	return async () => {
		await server.stop();
	};
}
