import type { TierMode } from "../config";
import type { TierStrategy } from "../tree";
import { auctionTier } from "./auction";
import { sequentialTier } from "./sequential";

/** The strategy for each tier mode: a tier is data, its mode picks the code. */
export const tierStrategies: Record<TierMode, TierStrategy> = {
  auction: auctionTier,
  ordered: sequentialTier("ordered"),
  weighted: sequentialTier("weighted"),
  round_robin: sequentialTier("round_robin"),
};
