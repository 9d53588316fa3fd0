import type { Field } from '$lib/domain/envelope';
import { failure, type Failure } from '$lib/domain/errors';
import { clampRect, readinessProblems, type ReadinessProblem } from '$lib/domain/field-layout';
import { fieldsEditable } from '$lib/domain/lifecycle';
import { definitionJson } from './envelopes';
import { type ContractDeps, updateEnvelopeRow, ownContract } from './common';

/**
 * Stores the field layout of a draft. Each field is clamped to its page (SPEC L1), so the stored
 * geometry is always fillable; fields of unknown signers or pages, and duplicate ids, are
 * refused rather than dropped, so the editor never believes something was saved that was not.
 * Returns the readiness problems (L8) of the saved layout.
 */
export async function saveFields(
	deps: Pick<ContractDeps, 'db'>,
	orgId: string,
	id: string,
	fields: readonly Field[]
): Promise<{ ok: true; fields: Field[]; readiness: ReadinessProblem[] } | Failure> {
	const own = await ownContract(deps.db, orgId, id);
	if (!own) return failure('NOT_FOUND', 'No such contract');
	// A draft, or a returned contract before its resend (LC4): nobody can sign either meanwhile.
	if (!fieldsEditable(own.envelope.status)) {
		return failure(
			'CONTRACT_NOT_EDITABLE',
			'Fields can only change while the contract is a draft or returned'
		);
	}
	const { envelope } = own;
	const signerIds = new Set(envelope.signers.map((s) => s.id));
	const ids = new Set<string>();
	const clamped: Field[] = [];
	for (const f of fields) {
		const page = envelope.pages[f.page - 1];
		if (!page || !signerIds.has(f.signerId) || ids.has(f.id)) {
			return failure(
				'CONTRACT_INVALID',
				'A field names an unknown page or signer, or repeats an id',
				{
					field: 'fields',
					fieldId: f.id
				}
			);
		}
		ids.add(f.id);
		clamped.push({ ...f, rect: clampRect(f.rect, page) });
	}
	const next = { ...envelope, fields: clamped };
	const updated = await deps.db
		.transaction()
		.execute((trx) =>
			updateEnvelopeRow(
				trx,
				id,
				[own.row.status],
				{ definition: definitionJson(next) },
				own.row.revision
			)
		);
	if (!updated) return failure('CONTRACT_NOT_EDITABLE', 'The contract changed meanwhile');
	return { ok: true, fields: clamped, readiness: readinessProblems(next) };
}
