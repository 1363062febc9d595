import { createApp } from "./http/app";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;

export { LeadGate } from "./objects/gate";
export { Counter } from "./objects/counter";
export { Rotation } from "./objects/rotation";
export { PingShard } from "./objects/pingShard";
