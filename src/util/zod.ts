// The part of zod this project uses, by name. Modules import it as `import * as z from
// '../util/zod.js'` and write `z.string()` as usual. Why not `from 'zod'`: the CLI's build
// (bin/build.mjs) bundles packages apart from our code, and bundles from each package only the
// names our code imports; a namespace import of zod itself would take all of it (~460 KB instead
// of ~100 KB, compiled and run on every synth). A name missing here is a type error.
export {
  array,
  boolean,
  config,
  discriminatedUnion,
  enum,
  literal,
  number,
  object,
  record,
  strictObject,
  string,
  union,
  ZodArray,
  ZodDefault,
  ZodDiscriminatedUnion,
  ZodLiteral,
  ZodObject,
  ZodOptional,
  ZodPipe,
  ZodRecord,
  ZodType,
} from 'zod';
export type { core, output, RefinementCtx } from 'zod';
