import type { FastifyRequest } from 'fastify';
import { RuleError } from '../core/errors.js';

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
