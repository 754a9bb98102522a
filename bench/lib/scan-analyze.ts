/**
 * One Berth analysis in a process of its own, for `npm run bench:scan`:
 * `node bench/lib/scan-analyze.ts LAYOUT_DIR` analyses the image tagged
 * `latest` of an OCI layout with the product's analyzer and prints one JSON
 * line: the analysis time (from the call to the inventories, module loading
 * excluded), the package URLs found and the process's peak RSS.
 */
import { analyzeImage } from '../../src/supply-chain/analyzer/analyze.ts';
import { layoutDigest, layoutSource } from '../../test/support/layout-source.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node bench/lib/scan-analyze.ts LAYOUT_DIR');
const digest = await layoutDigest(dir);
const t0 = performance.now();
const inventories = await analyzeImage(layoutSource(dir), { digest });
const durationMs = performance.now() - t0;
process.stdout.write(
  `${JSON.stringify({
    durationMs,
    purls: inventories.flatMap((i) => i.packages.map((p) => p.purl)),
    skipped: inventories.flatMap((i) => i.skipped),
    maxRssKib: process.resourceUsage().maxRSS,
  })}\n`,
);
