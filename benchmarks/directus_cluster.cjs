// Runs `directus start` in N processes sharing one port, as PM2's cluster mode (which the
// Directus container image uses) does: Node's cluster module hands each connection to a worker.
//
//     node directus_cluster.cjs <path to the Directus CLI> <workers>
const cluster = require("node:cluster");

const [cli, workers] = process.argv.slice(2);
cluster.setupPrimary({ exec: cli, args: ["start"] });
for (let i = 0; i < Number(workers); i++) {
  cluster.fork();
}
// A worker that dies would leave the run measuring fewer processes than it says: stop instead.
cluster.on("exit", (worker, code, signal) => {
  console.error(`Directus worker ${worker.process.pid} exited (${signal || code})`);
  process.exit(1);
});
