// The import rules of docs/architecture.md ("Where code runs"), enforced by lint so a forbidden
// import fails `npm test`: domain imports nothing of ours; pdf imports domain only; evidence
// imports domain and pdf only; client and server never import each other; components get data
// through props and never reach for fetch, Dexie or the server.

const NODE_BUILTINS = [
	'node:*',
	'fs',
	'fs/*',
	'path',
	'crypto',
	'os',
	'child_process',
	'worker_threads',
	'http',
	'https',
	'net',
	'stream',
	'url',
	'buffer',
	'module'
];

const group = (patterns, message) => ({ group: patterns, message });

const ours = (layer) => [
	`$lib/${layer}`,
	`$lib/${layer}/*`,
	`**/lib/${layer}/*`,
	`../${layer}/*`,
	`../../${layer}/*`
];

const rules = {
	domain: [
		group(
			[
				...ours('pdf'),
				...ours('evidence'),
				...ours('client'),
				...ours('server'),
				...ours('components'),
				'$lib/paraglide/*'
			],
			'src/lib/domain is pure: it imports nothing of ours (docs/architecture.md).'
		),
		group(NODE_BUILTINS, 'src/lib/domain is pure: no Node APIs (docs/architecture.md).'),
		group(
			['$app/*', 'dexie', 'svelte', 'svelte/*', 'kysely', 'better-sqlite3'],
			'src/lib/domain is pure: no framework, database or browser storage (docs/architecture.md).'
		)
	],
	pdf: [
		group(
			[...ours('evidence'), ...ours('client'), ...ours('server'), ...ours('components')],
			'src/lib/pdf imports only src/lib/domain (docs/architecture.md).'
		),
		group(
			NODE_BUILTINS,
			'src/lib/pdf runs in the browser too: no Node APIs; pass bytes in (docs/architecture.md).'
		),
		group(
			['$app/*', 'dexie', 'svelte', 'svelte/*', 'pdfjs-dist', 'pdfjs-dist/*'],
			'src/lib/pdf is bytes in, bytes out: no framework, storage or viewer (docs/architecture.md).'
		)
	],
	// The evidence verifier runs on the server, in a browser worker and in the CLI: bytes in,
	// verdict out, built on the domain rules and the renderer only.
	evidence: [
		group(
			[...ours('client'), ...ours('server'), ...ours('components')],
			'src/lib/evidence imports only src/lib/domain and src/lib/pdf (docs/architecture.md).'
		),
		group(
			NODE_BUILTINS,
			'src/lib/evidence runs in the browser too: no Node APIs; pass bytes in (docs/architecture.md).'
		),
		group(
			['@simplewebauthn/server', '@simplewebauthn/server/*'],
			'src/lib/evidence runs in a browser worker, where @simplewebauthn/server cannot load (it needs a reflect polyfill).'
		),
		group(
			[
				'$app/*',
				'dexie',
				'svelte',
				'svelte/*',
				'kysely',
				'better-sqlite3',
				'pdfjs-dist',
				'pdfjs-dist/*'
			],
			'src/lib/evidence is bytes in, verdict out: no framework, storage or viewer (docs/architecture.md).'
		)
	],
	client: [
		group(
			[...ours('server'), '$env/*/private'],
			'Browser code never imports server code (docs/architecture.md).'
		),
		group(NODE_BUILTINS, 'Browser code cannot use Node APIs.')
	],
	server: [
		group(
			[...ours('client'), ...ours('components')],
			'Server code never imports browser code (docs/architecture.md).'
		),
		group(
			['dexie', 'pdfjs-dist', 'pdfjs-dist/*'],
			'pdf.js and Dexie are browser-only (docs/architecture.md).'
		)
	],
	components: [
		group(
			[...ours('server'), 'dexie', '$lib/client/device/db*', '$env/*/private'],
			'Components are presentational: data comes through props or state classes (docs/architecture.md).'
		)
	]
};

// The browser code's features (the signer's device, the admin's pages, the verify page) never
// import each other, so what two need has to live in src/lib/client itself. Flat config gives a
// file the last matching rule's options, so these repeat the client rules.
const CLIENT_FEATURES = ['device', 'admin', 'verify'];
const apart = (other) =>
	group(
		[`$lib/client/${other}`, `$lib/client/${other}/*`, `../${other}/*`, `../../${other}/*`],
		`The client features (${CLIENT_FEATURES.join(', ')}) never import each other; shared code lives in src/lib/client (docs/architecture.md).`
	);
for (const own of CLIENT_FEATURES) {
	rules[`client/${own}`] = [
		...rules.client,
		...CLIENT_FEATURES.filter((other) => other !== own).map(apart)
	];
}

// Server features talk to each other through their index.ts only, so a feature's files can be
// split or renamed without touching another feature, and its index lists what it offers.
// platform/ and db/ are infrastructure: any folder imports their files directly, but they too
// import a feature only through its index. Files inside a folder (tests included) import that
// folder's own files freely. Paths are relative, so the pattern depends on the file's depth.
const SERVER_FEATURES = [
	'auth',
	'contracts',
	'seals',
	'sync',
	'review',
	'audit',
	'pdf',
	'finalise',
	'signing',
	'orgs',
	'recovery'
];
const SERVER_FOLDERS = [...SERVER_FEATURES, 'platform', 'db'];
const throughIndex = (own, depth) =>
	SERVER_FEATURES.filter((other) => other !== own).map((other) =>
		group(
			[`$lib/server/${other}/*`, `**/lib/server/${other}/*`, `${'../'.repeat(depth)}${other}/*`],
			`src/lib/server/${own} imports the ${other} feature only through its index ('$lib/server/${other}' or '${'../'.repeat(depth)}${other}'), never a file inside it; export what you need from ${other}/index.ts (docs/architecture.md, "Server features").`
		)
	);
const serverFolderRules = SERVER_FOLDERS.flatMap((own) =>
	[
		[1, `src/lib/server/${own}/*.{ts,js}`],
		[2, `src/lib/server/${own}/*/**/*.{ts,js}`]
	].flatMap(([depth, files]) => [
		{
			files: [files],
			ignores: ['**/*.test.ts'],
			rules: {
				'no-restricted-imports': [
					'error',
					{ patterns: [...rules.server, ...throughIndex(own, depth)] }
				]
			}
		},
		{
			files: [files.replace('.{ts,js}', '.test.ts')],
			rules: { 'no-restricted-imports': ['error', { patterns: throughIndex(own, depth) }] }
		}
	])
);

// Pages and endpoints reach a server feature through its index too ('$lib/server/auth'), for the
// same reason: the index is the feature's surface, and its files can move without touching a
// route. server/platform and server/db are infrastructure, imported directly.
const routeRules = {
	files: ['src/routes/**/*.{ts,js,svelte}'],
	rules: {
		'no-restricted-imports': [
			'error',
			{
				patterns: SERVER_FEATURES.map((feature) =>
					group(
						[`$lib/server/${feature}/*`, `**/lib/server/${feature}/*`],
						`Routes import src/lib/server/${feature} only through its index ('$lib/server/${feature}'), never a file inside it; export what the route needs from server/${feature}/index.ts (docs/architecture.md).`
					)
				)
			}
		]
	}
};

const layerConfigs = Object.entries(rules).map(([layer, patterns]) => ({
	files: [`src/lib/${layer}/**/*.{ts,js,svelte}`],
	ignores: ['**/*.test.ts'],
	rules: {
		'no-restricted-imports': ['error', { patterns }],
		...(layer === 'components'
			? {
					'no-restricted-globals': [
						'error',
						{ name: 'fetch', message: 'Components get data through props (docs/architecture.md).' },
						{
							name: 'indexedDB',
							message: 'Components get data through props (docs/architecture.md).'
						}
					]
				}
			: {})
	}
}));

export const layerRules = [...layerConfigs, ...serverFolderRules, routeRules];
