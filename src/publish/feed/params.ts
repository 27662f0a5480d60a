/** Query parameters of the feed endpoints, validated with zod: a bad one is a 400 that says why. */
import { z } from 'zod';
import { SCRIPTS } from '../../records/scripts.js';

/** Largest cursor accepted: sequence numbers stay far below 2^53. */
const MAX_CURSOR_DIGITS = 15;

export const cursorSchema = z
  .string()
  .regex(new RegExp(`^\\d{1,${MAX_CURSOR_DIGITS}}$`), {
    message: 'must be a cursor: a `next` or `cursor` value returned by the feed (digits only)',
  })
  .transform(Number);

function limitSchema(max: number, fallback: number) {
  return z
    .string()
    .regex(/^\d{1,7}$/, { message: `must be a whole number from 1 to ${max}` })
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, { message: `must be a whole number from 1 to ${max}` })
    .default(fallback);
}

const scriptSchema = z.enum(SCRIPTS, { message: `must be one of ${SCRIPTS.join(', ')}` }).optional();

export const MAX_PAGE = 1000;

export const listQuery = z.object({
  after: cursorSchema.default(0),
  limit: limitSchema(MAX_PAGE, 100),
  script: scriptSchema,
});

/** `.ndjson`: without `limit`, everything after the cursor up to the head at request time. */
export const ndjsonQuery = z.object({
  after: cursorSchema.default(0),
  limit: limitSchema(1_000_000, 1_000_000),
  script: scriptSchema,
});

export const itemQuery = z.object({
  script: scriptSchema,
  version: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, { message: 'must be a version number (1, 2, …)' })
    .transform(Number)
    .optional(),
});

export const feedQuery = z.object({
  limit: limitSchema(500, 50),
  script: scriptSchema,
});

/** SSE: `after` (or the `Last-Event-ID` header) resumes; without either, only new records. */
export const streamQuery = z.object({
  after: cursorSchema.optional(),
  script: scriptSchema,
});

export class BadRequest extends Error {
  readonly statusCode = 400;
}

/** Parses `input` or throws a `BadRequest` naming the first bad parameter. */
export function parseQuery<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue?.path.join('.') || 'query';
  const message = issue?.code === 'invalid_type' ? 'must be given once, as text' : issue?.message;
  throw new BadRequest(`${name}: ${message ?? 'invalid'}`);
}
