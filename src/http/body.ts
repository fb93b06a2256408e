import type { FastifyRequest } from 'fastify';
import { RuleError } from '../core/errors.js';
import { MAX_BATCH } from '../okx/order-results.js';

/** A POST body that must be one JSON object: 50000 when empty, 51000 when another shape. */
export function objectBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null) throw new RuleError('50000', 'body: a JSON object is required');
  if (typeof body !== 'object' || Array.isArray(body))
    throw new RuleError('51000', 'body: must be a JSON object', 'body');
  return body as Record<string, unknown>;
}

/** The number of items of an array body (batch endpoints), else 1. */
export const batchSize = (request: FastifyRequest): number => (Array.isArray(request.body) ? request.body.length : 1);

/** A batch body: a JSON array of 1 to 20 objects (50000 none, 51000 not an array, 51111 too many). */
export function batchBody(request: FastifyRequest): Array<Record<string, unknown>> {
  const body = request.body;
  if (body === undefined || body === null) throw new RuleError('50000', 'body: an array of orders is required');
  if (!Array.isArray(body)) throw new RuleError('51000', 'body: must be a JSON array of orders', 'body');
  if (body.length === 0) throw new RuleError('50014', 'body: the array is empty', 'body');
  if (body.length > MAX_BATCH)
    throw new RuleError('51111', `body: at most ${MAX_BATCH} orders per batch, got ${body.length}`, String(MAX_BATCH));
  return body.map((o: unknown) =>
    typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>) : {},
  );
}
