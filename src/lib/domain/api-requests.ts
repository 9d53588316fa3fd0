import * as v from 'valibot';

// Request bodies the server validates and the client builds, written once: the server parses
// with these schemas and the client's form types are inferred from them, so the two cannot drift.

const Text = (max: number) => v.pipe(v.string(), v.maxLength(max));

/** The new-contract form's fields (the PDF travels beside them); the server checks more in code. */
export const ContractInput = v.object({
	title: Text(400),
	signingOrder: v.picklist(['parallel', 'sequential']),
	deadline: v.nullable(Text(40)),
	parties: v.pipe(
		v.array(
			v.object({
				name: Text(400),
				kind: v.picklist(['organisation', 'person']),
				signers: v.pipe(
					v.array(
						v.object({
							name: Text(200),
							contact: v.nullable(Text(300)),
							userId: v.nullable(Text(100)),
							order: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(50))
						})
					),
					v.minLength(1),
					v.maxLength(20)
				)
			})
		),
		v.minLength(1),
		v.maxLength(10)
	)
});
export type ContractInput = v.InferOutput<typeof ContractInput>;

/** The longest contract title the server accepts, in characters after trimming. */
export const TITLE_MAX = 200;

export const FieldInput = v.object({
	id: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
	kind: v.picklist(['signature', 'seal', 'date', 'riding-seam']),
	signerId: Text(100),
	page: v.pipe(v.number(), v.integer(), v.minValue(1)),
	rect: v.object({ x: v.number(), y: v.number(), width: v.number(), height: v.number() }),
	required: v.boolean()
});
/** The body of PUT /api/admin/contracts/[id]/fields. */
export const FieldsInput = v.object({ fields: v.pipe(v.array(FieldInput), v.maxLength(2000)) });
export type FieldsInput = v.InferOutput<typeof FieldsInput>;
