import * as v from 'valibot';

/** The body of a seal create or update: a label and a (partial) SealSpec, checked by the domain. */
export const SealBody = v.object({
	name: v.pipe(v.string(), v.maxLength(200)),
	spec: v.object({
		shape: v.optional(v.picklist(['round', 'oval', 'square'])),
		widthMm: v.optional(v.number()),
		heightMm: v.optional(v.number()),
		orgName: v.optional(v.pipe(v.string(), v.maxLength(200))),
		centreText: v.optional(v.pipe(v.string(), v.maxLength(200))),
		bottomCode: v.optional(v.pipe(v.string(), v.maxLength(200))),
		star: v.optional(v.boolean()),
		colour: v.optional(v.pipe(v.string(), v.maxLength(20))),
		ringWidthMm: v.optional(v.number()),
		arcDegrees: v.optional(v.number())
	})
});
