/**
 * Where a round-robin tier starts: one object per tree and tier name, so the
 * rotation advances exactly once per run however many isolates run the tree.
 */
import { DurableObject } from "cloudflare:workers";

export class Rotation extends DurableObject<Env> {
  /** The position this run starts at, in [0, size); the next run starts one further. */
  async next(size: number): Promise<number> {
    const turn = (await this.ctx.storage.get<number>("turn")) ?? 0;
    await this.ctx.storage.put("turn", turn + 1);
    return size > 0 ? turn % size : 0;
  }
}

export function rotationName(treeId: string, tierName: string): string {
  return `rotation:${treeId}:${tierName}`;
}
