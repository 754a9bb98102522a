import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../config/config.ts';
import { DEFAULT_LIMITS, limitsFromConfig } from './limits.ts';

describe('analyzer limits', () => {
  it('the configuration defaults are the analyzer defaults', () => {
    assert.deepEqual(limitsFromConfig(loadConfig({ env: {} })), DEFAULT_LIMITS);
  });

  it('each limit is configurable by its environment variable, and nonsense is refused', () => {
    const c = loadConfig({ env: { BERTH_ANALYZER_MAX_LAYER_BYTES: '1073741824', BERTH_ANALYZER_TIMEOUT_SECONDS: '60', BERTH_ANALYZER_MAX_ENTRIES_PER_LAYER: '5000' } });
    const l = limitsFromConfig(c);
    assert.equal(l.maxLayerBytes, 1024 ** 3);
    assert.equal(l.timeoutMs, 60_000);
    assert.equal(l.maxEntriesPerLayer, 5000);
    assert.throws(() => loadConfig({ env: { BERTH_ANALYZER_MAX_LAYER_BYTES: '10' } }), /analyzerMaxLayerBytes/);
    assert.throws(() => loadConfig({ env: { BERTH_ANALYZER_TIMEOUT_SECONDS: 'soon' } }), /must be an integer/);
  });
});
