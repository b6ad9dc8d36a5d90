/**
 * V8 heap limits for the processes that carry the traffic: the router and the adapters.
 *
 * Left to itself, V8 lets the heap of a busy process grow far past what it keeps alive (it
 * collects the old generation lazily when memory looks plentiful): under the bench's load the
 * EJN adapter reached 340–405 MB resident. With these limits the same processes peak at 120–166 MB
 * and sustain as much or more (docs/benchmarks.md, "Memory"). Raise --max-old-space-size for a
 * router or adapter that must remember very many requests (each known request costs the router
 * a few hundred bytes).
 *
 * Used by the Kubernetes manifests, the compose file (the same string, checked by
 * test/deploy), `comity up` and `npm run bench`.
 */
export const SERVICE_NODE_OPTIONS = '--max-old-space-size=128 --max-semi-space-size=4';

/** The memory limit that goes with it in Kubernetes. */
export const SERVICE_MEMORY_LIMIT = '256Mi';
