import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import ts from 'typescript-eslint';
import { layerRules } from '../eslint.layers.js';

// Proves the layer rules (docs/architecture.md, "Where code runs") refuse each of these imports.
// The same rule objects are spread into eslint.config.js, so `npm run lint` fails on them too.
// Linted without the type-aware parser, which keeps a TypeScript service alive and stops vitest
// from exiting.
const eslint = new ESLint({
	cwd: process.cwd(),
	overrideConfigFile: true,
	overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: ts.parser } }, ...layerRules]
});

async function violations(filePath: string, code: string): Promise<string[]> {
	const [result] = await eslint.lintText(code, { filePath });
	return (result?.messages ?? [])
		.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals')
		.map((m) => m.message);
}

describe('layer import rules (docs/architecture.md)', () => {
	it('refuses Node, server and pdf imports in src/lib/domain', async () => {
		expect(
			await violations(
				'src/lib/domain/x.ts',
				"import { readFile } from 'node:fs';\nexport { readFile };\n"
			)
		).toHaveLength(1);
		expect(
			await violations(
				'src/lib/domain/x.ts',
				"import { getApp } from '$lib/server/platform/app';\nexport { getApp };\n"
			)
		).toHaveLength(1);
		expect(
			await violations('src/lib/domain/x.ts', "import { x } from '../pdf/render';\nexport { x };\n")
		).toHaveLength(1);
	});

	it('refuses server and Node imports in src/lib/pdf but allows the domain', async () => {
		expect(
			await violations(
				'src/lib/pdf/x.ts',
				"import { getApp } from '$lib/server/platform/app';\nexport { getApp };\n"
			)
		).toHaveLength(1);
		expect(
			await violations(
				'src/lib/pdf/x.ts',
				"import { createHash } from 'crypto';\nexport { createHash };\n"
			)
		).toHaveLength(1);
		expect(
			await violations(
				'src/lib/pdf/x.ts',
				"import { ERROR_CODES } from '$lib/domain/errors';\nexport { ERROR_CODES };\n"
			)
		).toEqual([]);
	});

	it('lets the evidence verifier use domain and pdf only, and never the reverse', async () => {
		const ok = [
			"import { render } from '$lib/pdf/render';\nexport { render };\n",
			"import { sha256 } from '../domain/canonical';\nexport { sha256 };\n"
		];
		for (const code of ok) expect(await violations('src/lib/evidence/x.ts', code)).toEqual([]);
		const refused = [
			"import { getApp } from '$lib/server/platform/app';\nexport { getApp };\n",
			"import { api } from '$lib/client/api';\nexport { api };\n",
			"import { readFile } from 'node:fs';\nexport { readFile };\n",
			"import { isoCBOR } from '@simplewebauthn/server/helpers';\nexport { isoCBOR };\n"
		];
		for (const code of refused) {
			expect(await violations('src/lib/evidence/x.ts', code)).toHaveLength(1);
		}
		expect(
			await violations(
				'src/lib/pdf/x.ts',
				"import { verifyEvidence } from '$lib/evidence/verify';\nexport { verifyEvidence };\n"
			)
		).toHaveLength(1);
		expect(
			await violations(
				'src/lib/domain/x.ts',
				"import { packEvidence } from '../evidence/format';\nexport { packEvidence };\n"
			)
		).toHaveLength(1);
		for (const layer of ['server/x.ts', 'client/x.ts']) {
			expect(
				await violations(
					`src/lib/${layer}`,
					"import { verifyEvidence } from '$lib/evidence/verify';\nexport { verifyEvidence };\n"
				)
			).toEqual([]);
		}
	});

	it('keeps client and server apart', async () => {
		expect(
			await violations(
				'src/lib/client/x.ts',
				"import { getApp } from '$lib/server/platform/app';\nexport { getApp };\n"
			)
		).toHaveLength(1);
		expect(
			await violations(
				'src/lib/server/x.ts',
				"import { api } from '$lib/client/api';\nexport { api };\n"
			)
		).toHaveLength(1);
	});

	it('keeps the client features (device, admin, verify) apart, and the client rules still apply there', async () => {
		expect(
			await violations(
				'src/lib/client/device/x.ts',
				"import { listReview } from '$lib/client/admin/review';\nexport { listReview };\n"
			)
		).toHaveLength(1);
		expect(
			await violations(
				'src/lib/client/admin/x.ts',
				"import { deviceDb } from '../device/db';\nexport { deviceDb };\n"
			)
		).toHaveLength(1);
		expect(
			await violations(
				'src/lib/client/device/x.ts',
				"import { getApp } from '$lib/server/platform/app';\nexport { getApp };\n"
			)
		).toHaveLength(1);
		// The verify page's code is a feature of its own, apart from both.
		expect(
			await violations(
				'src/lib/client/verify/x.ts',
				"import { deviceDb } from '../device/db';\nexport { deviceDb };\n"
			)
		).toHaveLength(1);
		expect(
			await violations(
				'src/lib/client/admin/x.ts',
				"import { VerifySession } from '$lib/client/verify/session.svelte';\nexport { VerifySession };\n"
			)
		).toHaveLength(1);
		expect(
			await violations(
				'src/lib/client/device/x.ts',
				"import { api } from '../api';\nexport { api };\n"
			)
		).toEqual([]);
	});

	it('keeps components presentational: no server imports, no fetch', async () => {
		expect(
			await violations(
				'src/lib/components/x.ts',
				"import { getApp } from '$lib/server/platform/app';\nexport { getApp };\n"
			)
		).toHaveLength(1);
		expect(
			await violations('src/lib/components/x.ts', "export const load = () => fetch('/api');\n")
		).toHaveLength(1);
	});

	it('lets a server feature import another only through its index, with a message saying so', async () => {
		const [message] = await violations(
			'src/lib/server/sync/x.ts',
			"import { appendAudit } from '../audit/audit';\nexport { appendAudit };\n"
		);
		expect(message).toContain("only through its index ('$lib/server/audit' or '../audit')");
		expect(
			await violations(
				'src/lib/server/review/x.ts',
				"import { checkAssertion } from '$lib/server/auth/passkeys';\nexport { checkAssertion };\n"
			)
		).toHaveLength(1);
		// A file one folder deeper, and a test: the same rule.
		expect(
			await violations(
				'src/lib/server/sync/ingest/x.ts',
				"import { loadEnvelope } from '../../contracts/envelopes';\nexport { loadEnvelope };\n"
			)
		).toHaveLength(1);
		expect(
			await violations(
				'src/lib/server/seals/x.test.ts',
				"import { topUpTickets } from '../auth/tickets';\nexport { topUpTickets };\n"
			)
		).toHaveLength(1);
		// Allowed: another feature's index, a folder's own files, and platform/db files.
		expect(
			await violations(
				'src/lib/server/sync/ingest/x.ts',
				"import { loadEnvelope } from '../../contracts';\nimport { refusal } from './common';\nimport { storeBlob } from '../../platform/blob-store';\nimport type { User } from '../../db/schema';\nexport { loadEnvelope, refusal, storeBlob, type User };\n"
			)
		).toEqual([]);
		expect(
			await violations(
				'src/lib/server/auth/x.test.ts',
				"import { consumeChallenge } from './passkeys/challenges';\nexport { consumeChallenge };\n"
			)
		).toEqual([]);
		// Server files still keep the layer rules.
		expect(
			await violations(
				'src/lib/server/sync/x.ts',
				"import { api } from '$lib/client/api';\nexport { api };\n"
			)
		).toHaveLength(1);
	});

	it('lets a route import a server feature only through its index', async () => {
		const [message] = await violations(
			'src/routes/api/x/+server.ts',
			"import { sessionCookieName } from '$lib/server/auth/sessions';\nexport { sessionCookieName };\n"
		);
		expect(message).toContain("only through its index ('$lib/server/auth')");
		expect(
			await violations(
				'src/routes/admin/x.svelte',
				"import { listInbox } from '$lib/server/contracts/envelopes';\nexport { listInbox };\n"
			)
		).toHaveLength(1);
		// Allowed: a feature's index, server infrastructure, and browser code.
		expect(
			await violations(
				'src/routes/x.ts',
				"import { sessionCookieName } from '$lib/server/auth';\nimport { PageZoom } from '$lib/client/device/page-zoom.svelte';\nimport { getApp } from '$lib/server/platform/app';\nimport { api } from '$lib/client/api';\nexport { sessionCookieName, PageZoom, getApp, api };\n"
			)
		).toEqual([]);
	});
});
