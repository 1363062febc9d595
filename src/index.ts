export default {
  async fetch() {
    return new Response("leadtree");
  },
} satisfies ExportedHandler<Env>;
export { LeadGate } from "./objects/gate";
export { PingShard } from "./buyers/shard";
