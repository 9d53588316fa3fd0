import type { Kysely } from 'kysely';
import { failure, type Failure } from '$lib/domain/errors';
import { randomUUID } from 'node:crypto';
import type { Database, User } from '../db/schema';
import type { FieldTemplateSummary } from '$lib/domain/api-types';
import { templateFromFields, type TemplateField } from '$lib/domain/field-layout';
import { normaliseName } from '../auth';
import { type ContractDeps, ownContract } from './common';

/**
 * Saves a contract's stored layout as a named template (SPEC L5). Names are unique per
 * organisation; saving under an existing name replaces that template, which is what "save" means
 * to the person who typed the same name again.
 */
export async function saveTemplate(
	deps: Pick<ContractDeps, 'db' | 'clock'>,
	admin: User,
	input: { name: string; contractId: string }
): Promise<{ ok: true; template: FieldTemplateSummary } | Failure> {
	const name = normaliseName(input.name);
	if (!name) return failure('CONTRACT_INVALID', 'A template needs a name', { field: 'template' });
	const own = await ownContract(deps.db, admin.org_id, input.contractId);
	if (!own) return failure('NOT_FOUND', 'No such contract');
	const fields = templateFromFields(own.envelope.fields, own.envelope.signers);
	if (fields.length === 0) {
		return failure('CONTRACT_INVALID', 'The contract has no fields to save', { field: 'template' });
	}
	const now = deps.clock().toISOString();
	const id = randomUUID();
	await deps.db
		.insertInto('field_templates')
		.values({
			id,
			org_id: admin.org_id,
			name,
			fields_json: JSON.stringify(fields),
			created_by: admin.id,
			created_at: now
		})
		.onConflict((oc) =>
			oc
				.columns(['org_id', 'name'])
				.doUpdateSet({ fields_json: JSON.stringify(fields), created_at: now })
		)
		.execute();
	const row = await deps.db
		.selectFrom('field_templates')
		.select('id')
		.where('org_id', '=', admin.org_id)
		.where('name', '=', name)
		.executeTakeFirstOrThrow();
	return { ok: true, template: { id: row.id, name, fields, createdAt: now } };
}

/** The organisation's templates, newest first. */
export async function listTemplates(
	db: Kysely<Database>,
	orgId: string
): Promise<FieldTemplateSummary[]> {
	const rows = await db
		.selectFrom('field_templates')
		.selectAll()
		.where('org_id', '=', orgId)
		.orderBy('created_at', 'desc')
		.limit(200)
		.execute();
	return rows.map((r) => ({
		id: r.id,
		name: r.name,
		fields: JSON.parse(r.fields_json) as TemplateField[],
		createdAt: r.created_at
	}));
}
