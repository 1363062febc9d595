import { tierModes } from "../config";
import { runTierContract } from "./tier.case";

for (const mode of tierModes) runTierContract(mode);
