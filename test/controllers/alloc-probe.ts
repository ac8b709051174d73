import { Session } from 'node:inspector/promises';

/** One allocation site the sampling heap profiler saw, with its estimated bytes. */
export interface AllocationSite {
  site: string;
  bytes: number;
}

export interface AllocationSample {
  /** estimated bytes allocated with a frame whose script URL contains `scope` on the stack */
  bytes: number;
  /** the largest such sites, innermost frame first */
  top: AllocationSite[];
}

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/**
 * Bytes allocated while `fn` runs, counted by V8's sampling heap profiler (a sample about every
 * `interval` bytes, objects collected since included) and attributed to stacks that pass through
 * code under `scope`. Unlike a heapUsed difference, it does not see what V8 itself puts on the
 * heap meanwhile (compiled code, feedback, the inspector's own messages), so a zero-allocation
 * loop reads ~0 even on a busy machine where the optimising compiler runs late.
 */
export async function sampleAllocations(fn: () => void, scope: string, interval = 64): Promise<AllocationSample> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.startSampling', { samplingInterval: interval, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    fn();
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
    const sites = new Map<string, number>();
    let bytes = 0;
    const walk = (node: ProfileNode, inScope: boolean, site: string): void => {
      const here = node.callFrame.url.includes(scope);
      const frame = here ? `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1}` : site;
      const within = inScope || here;
      if (within && node.selfSize > 0) {
        bytes += node.selfSize;
        sites.set(frame, (sites.get(frame) ?? 0) + node.selfSize);
      }
      for (const child of node.children) walk(child, within, frame);
    };
    walk(profile.head, false, '');
    const top = [...sites].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([site, b]) => ({ site, bytes: b }));
    return { bytes, top };
  } finally {
    session.disconnect();
  }
}
