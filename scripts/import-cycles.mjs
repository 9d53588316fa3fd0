// The import graph of src/ as it runs: which module loads which when it is evaluated. Type-only
// imports are erased by the build and dynamic imports load later, so neither can make a module
// see another half-evaluated; only the rest are edges here. A cycle among these edges makes a
// module's imports depend on which side loads first: an import still undefined at start-up.
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Every source module under `root`: .ts and .svelte, without tests, declarations and generated code. */
function sources(root) {
	return readdirSync(root).flatMap((name) => {
		const path = join(root, name);
		if (statSync(path).isDirectory()) return name === 'paraglide' ? [] : sources(path);
		if (/\.(test|spec)\.ts$|\.d\.ts$/.test(name)) return [];
		return /\.(ts|svelte)$/.test(name) ? [path] : [];
	});
}

/** The module a specifier names, or null for a package or a virtual module. */
function resolveSpecifier(src, from, specifier) {
	let base;
	if (specifier.startsWith('$lib/')) base = join(src, 'lib', specifier.slice('$lib/'.length));
	else if (specifier.startsWith('.')) base = resolve(dirname(from), specifier);
	else return null;
	for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
		if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
	}
	return null;
}

/** True when an import or export declaration brings in types only. */
function typeOnly(node) {
	if (ts.isImportDeclaration(node)) {
		const clause = node.importClause;
		if (!clause) return false; // a bare import runs the module
		if (clause.isTypeOnly) return true;
		const named = clause.namedBindings;
		return (
			!clause.name &&
			!!named &&
			ts.isNamedImports(named) &&
			named.elements.length > 0 &&
			named.elements.every((element) => element.isTypeOnly)
		);
	}
	const clause = node.exportClause;
	if (node.isTypeOnly) return true;
	return (
		!!clause &&
		ts.isNamedExports(clause) &&
		clause.elements.length > 0 &&
		clause.elements.every((element) => element.isTypeOnly)
	);
}

/** The modules `file` loads when it is evaluated. */
function runtimeImports(src, file) {
	let code = readFileSync(file, 'utf8');
	// A component's imports are in its <script> blocks.
	if (file.endsWith('.svelte')) {
		code = [...code.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
	}
	const parsed = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
	const found = new Set();
	for (const node of parsed.statements) {
		if (!ts.isImportDeclaration(node) && !ts.isExportDeclaration(node)) continue;
		if (!node.moduleSpecifier || !ts.isStringLiteral(node.moduleSpecifier) || typeOnly(node)) {
			continue;
		}
		const target = resolveSpecifier(src, file, node.moduleSpecifier.text);
		if (target) found.add(target);
	}
	return found;
}

/** The runtime import graph of `src`: module → the modules it loads (paths relative to `src`). */
export function runtimeImportGraph(src) {
	const graph = new Map();
	for (const file of sources(src)) {
		graph.set(
			relative(src, file),
			[...runtimeImports(src, file)].map((target) => relative(src, target))
		);
	}
	return graph;
}

/** The import cycles of `graph`: its strongly connected components of two modules or more. */
export function importCycles(graph) {
	let next = 0;
	const index = new Map();
	const low = new Map();
	const stack = [];
	const onStack = new Set();
	const cycles = [];
	const visit = (node) => {
		index.set(node, next);
		low.set(node, next);
		next++;
		stack.push(node);
		onStack.add(node);
		for (const target of graph.get(node) ?? []) {
			if (!graph.has(target)) continue;
			if (!index.has(target)) {
				visit(target);
				low.set(node, Math.min(low.get(node), low.get(target)));
			} else if (onStack.has(target)) {
				low.set(node, Math.min(low.get(node), index.get(target)));
			}
		}
		if (low.get(node) !== index.get(node)) return;
		const component = [];
		let member;
		do {
			member = stack.pop();
			onStack.delete(member);
			component.push(member);
		} while (member !== node);
		if (component.length > 1) cycles.push(component.sort());
	};
	for (const node of graph.keys()) if (!index.has(node)) visit(node);
	return cycles;
}
