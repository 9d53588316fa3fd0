// The import rules of DESIGN.md §3, enforced by lint so a forbidden import fails `npm test`:
// domain imports nothing of ours; pdf imports domain only; client and server never import each
// other; components get data through props and never reach for fetch, Dexie or the server.

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
				...ours('client'),
				...ours('server'),
				...ours('components'),
				'$lib/paraglide/*'
			],
			'src/lib/domain is pure: it imports nothing of ours (DESIGN §3).'
		),
		group(NODE_BUILTINS, 'src/lib/domain is pure: no Node APIs (DESIGN §3).'),
		group(
			['$app/*', 'dexie', 'svelte', 'svelte/*', 'kysely', 'better-sqlite3'],
			'src/lib/domain is pure: no framework, database or browser storage (DESIGN §3).'
		)
	],
	pdf: [
		group(
			[...ours('client'), ...ours('server'), ...ours('components')],
			'src/lib/pdf imports only src/lib/domain (DESIGN §3).'
		),
		group(
			NODE_BUILTINS,
			'src/lib/pdf runs in the browser too: no Node APIs; pass bytes in (DESIGN §3).'
		),
		group(
			['$app/*', 'dexie', 'svelte', 'svelte/*', 'pdfjs-dist', 'pdfjs-dist/*'],
			'src/lib/pdf is bytes in, bytes out: no framework, storage or viewer (DESIGN §3).'
		)
	],
	client: [
		group(
			[...ours('server'), '$env/*/private'],
			'Browser code never imports server code (DESIGN §3).'
		),
		group(NODE_BUILTINS, 'Browser code cannot use Node APIs.')
	],
	server: [
		group(
			[...ours('client'), ...ours('components')],
			'Server code never imports browser code (DESIGN §3).'
		),
		group(['dexie', 'pdfjs-dist', 'pdfjs-dist/*'], 'pdf.js and Dexie are browser-only (DESIGN §3).')
	],
	components: [
		group(
			[...ours('server'), 'dexie', '$lib/client/db*', '$env/*/private'],
			'Components are presentational: data comes through props or state classes (DESIGN §3).'
		)
	]
};

export const layerRules = Object.entries(rules).map(([layer, patterns]) => ({
	files: [`src/lib/${layer}/**/*.{ts,js,svelte}`],
	ignores: ['**/*.test.ts'],
	rules: {
		'no-restricted-imports': ['error', { patterns }],
		...(layer === 'components'
			? {
					'no-restricted-globals': [
						'error',
						{ name: 'fetch', message: 'Components get data through props (DESIGN §3).' },
						{ name: 'indexedDB', message: 'Components get data through props (DESIGN §3).' }
					]
				}
			: {})
	}
}));
