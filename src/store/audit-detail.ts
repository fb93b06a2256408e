import { formatPermissions } from '../core/permissions.js';
import type { Actor, KeyActor, KeyRecord } from './store.js';

/** What an audit entry says changed between two versions of a key (no secrets, ever). */
export function keyChangeDetail(before: KeyRecord | null, after: KeyRecord): Record<string, unknown> {
  if (before === null) {
    return { label: after.label, perm: formatPermissions(after.perms), ip: after.ips.join(','), env: after.env };
  }
  const detail: Record<string, unknown> = {};
  if (before.label !== after.label) detail['label'] = { from: before.label, to: after.label };
  const [p0, p1] = [formatPermissions(before.perms), formatPermissions(after.perms)];
  if (p0 !== p1) detail['perm'] = { from: p0, to: p1 };
  const [i0, i1] = [before.ips.join(','), after.ips.join(',')];
  if (i0 !== i1) detail['ip'] = { from: i0, to: i1 };
  return detail;
}

/** What a deletion's audit entry says: the key's name. */
export function keyDeleteDetail(key: KeyRecord): Record<string, unknown> {
  return { label: key.label };
}

/** What an expiry's audit entry says: the key's name and since when it was idle (Unix ms). */
export function keyExpireDetail(key: KeyRecord): Record<string, unknown> {
  return { label: key.label, idleSince: key.lastUsedAt ?? key.createdAt };
}

/** The audit entry's actor and detail for a change made by `who` (`by`, when given, joins the detail). */
export function auditedBy(
  who: KeyActor,
  detail: Record<string, unknown>,
): { actor: Actor; detail: Record<string, unknown> } {
  return typeof who === 'string' ? { actor: who, detail } : { actor: who.actor, detail: { ...detail, by: who.by } };
}
