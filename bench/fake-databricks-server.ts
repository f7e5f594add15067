// The fake Statement Execution API in a process of its own (so its work does not share the benchmark's event loop).
// Usage: bun bench/fake-databricks-server.ts <statement latency ms> [sink]; prints its URL, then serves until killed.
// "sink": MERGEs are answered without unpacking their rows (see FakeDatabricksOptions.sink).
import { FakeDatabricks } from "../test/fake-databricks.ts";

const fake = new FakeDatabricks({ latencyMs: Number(process.argv[2] ?? 200), sink: process.argv[3] === "sink" }).start();
console.log(`fake-databricks.listening url=${fake.url} warehouse=${fake.warehouseId} token=${fake.env().DATABRICKS_TOKEN}`);
