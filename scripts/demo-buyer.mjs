// A buyer to try leadtree with: answers pings on http://127.0.0.1:$BUYER_PORT/<name>
// with a bid of BID cents (default: a random bid) and accepts every post.
// `npm run demo:buyer`, then point a lead point's ping and post URLs at it.
import { createServer } from "node:http";

const port = Number(process.env.BUYER_PORT ?? 9100);
const fixedBid = process.env.BID ? Number(process.env.BID) : undefined;

createServer((request, response) => {
  let raw = "";
  request.on("data", (chunk) => (raw += chunk));
  request.on("end", () => {
    let message = {};
    try {
      message = JSON.parse(raw);
    } catch {
      // A body that is not JSON is answered like a ping.
    }
    const answer =
      message.type === "post"
        ? { accept: true, buyerLeadId: `demo-${Date.now()}`, redirectUrl: "https://buyer.example/thank-you" }
        : { accept: true, bidCents: fixedBid ?? 500 + Math.floor(Math.random() * 1500) };
    console.log(`${request.url} ${message.type ?? "?"} lead=${message.leadId ?? "?"} -> ${JSON.stringify(answer)}`);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(answer));
  });
}).listen(port, "127.0.0.1", () => console.log(`demo buyer on http://127.0.0.1:${port}`));
