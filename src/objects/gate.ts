import { DurableObject } from "cloudflare:workers";
export class LeadGate extends DurableObject<Env> {}
