/**
 * What the viewer reads from a controller besides its actions: per spiking layer the last
 * act's spikes, and the plastic (Hebb) matrices, through the optional
 * `Controller.introspect()` (controllers/controller.ts). Controllers without it, and
 * non-spiking layers, are skipped; with nothing to show the page hides the raster and heatmap.
 */
import type { Controller, ControllerIntrospection, LayerView, MatrixView } from '../../controllers/controller.js';
import type { HebbInfo, SpikeLayerInfo } from '../protocol.js';

export interface SpikeLayerProbe extends SpikeLayerInfo {
  /** one value per neuron, nonzero = spiked during the last act */
  read(): ArrayLike<number>;
}

export interface HebbProbe extends HebbInfo {
  /** row-major rows × cols (row = presynaptic) */
  read(): ArrayLike<number>;
}

export interface Introspection {
  layers: SpikeLayerProbe[];
  hebb: HebbProbe[];
}

function layerProbe(l: LayerView): SpikeLayerProbe | null {
  // counts: spikes summed over the act's SNN sub-steps, so a neuron that fired in any of them shows
  if (l.counts) return { name: l.name, size: l.size, read: () => l.counts! };
  if (l.spikes) return { name: l.name, size: l.size, read: () => l.spikes! };
  return null;
}

function hebbProbe(m: MatrixView): HebbProbe {
  return { name: m.name, rows: m.rows, cols: m.cols, read: () => m.values };
}

/** Probes over a controller's introspection views (live arrays), or null when it has none. */
export function probeController(controller: Controller): Introspection | null {
  if (typeof controller.introspect !== 'function') return null;
  const view: ControllerIntrospection = controller.introspect();
  const layers = view.layers.map(layerProbe).filter((p): p is SpikeLayerProbe => p !== null && p.size > 0);
  const hebb = view.hebb.filter((m) => m.rows > 0 && m.cols > 0).map(hebbProbe);
  if (!layers.length && !hebb.length) return null;
  return { layers, hebb };
}
