/**
 * Capacity routing: a buyer declares how many agents are free now on one of
 * its lead points. The declaration is configuration (it rides with the lead
 * point, so a lead knows without a lookup whether the point has one); the
 * count of what is left lives in the lead point's Counter object, which
 * counts each sale down from the declaration. A declaration ends at its
 * `until`, after which the point is routed as if none had been made, or is
 * replaced by the next one, whose count starts afresh.
 */
export interface CapacityDeclaration {
  /** Agents free when it was declared. */
  available: number;
  /** ISO time the declaration ends, if it does. */
  until?: string;
  /** ISO time it was declared: a later declaration replaces an earlier one. */
  setAt: string;
}

/** The field a lead point's filters and bid rules read its free agents from, when the run began. */
export const CAPACITY_FIELD = "capacity";

/** Whether these conditions read the point's free agents, which costs a counter read per run. */
export function readsCapacity(conditions: readonly { field: string }[]): boolean {
  return conditions.some((condition) => condition.field === CAPACITY_FIELD);
}

/** The declaration if it still holds at `nowMs`, else undefined: the point is routed without one. */
export function activeCapacity(declaration: CapacityDeclaration | undefined, nowMs: number): CapacityDeclaration | undefined {
  if (!declaration) return undefined;
  return declaration.until === undefined || Date.parse(declaration.until) > nowMs ? declaration : undefined;
}

/** Whether `candidate` replaces `held`: it is the later declaration of the two. */
export function supersedes(candidate: CapacityDeclaration, held: CapacityDeclaration | undefined): boolean {
  return !held || Date.parse(candidate.setAt) > Date.parse(held.setAt);
}

/** Agents left of `declaration` once `taken` of them are sold or held by posts in flight. */
export function capacityLeft(declaration: CapacityDeclaration, taken: number): number {
  return Math.max(0, declaration.available - taken);
}

/** Why a point with no agent left is not pinged or posted. */
export function noCapacityReason(declaration: CapacityDeclaration): string {
  return `no free agents: the capacity of ${declaration.available} declared at ${declaration.setAt} is taken`;
}
