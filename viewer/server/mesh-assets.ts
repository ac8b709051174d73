/**
 * The mesh files a page may fetch: exactly the visual meshes of the robot being shown, each
 * under an id the server chose (`/mesh/0`, `/mesh/1`, … in order of first reference). The page
 * never names a path: a request for any other id (or anything that is not an id, such as
 * `../x`) is a 404, so a hostile page cannot read other files through the viewer.
 */
import type { MorphologySpec } from '../../morphologies/spec.js';

export const MESH_ROUTE = '/mesh/';

export interface MeshAsset {
  id: string;
  /** absolute path on the server */
  path: string;
  format: 'stl' | 'obj';
}

/** The visual mesh files of `spec`, deduplicated by path, with their ids. */
export function meshAssets(spec: MorphologySpec): MeshAsset[] {
  const out: MeshAsset[] = [];
  const seen = new Set<string>();
  for (const b of spec.bodies) {
    for (const v of b.visuals ?? []) {
      if (v.shape !== 'mesh' || v.mesh === undefined || seen.has(v.mesh)) continue;
      seen.add(v.mesh);
      out.push({ id: String(out.length), path: v.mesh, format: /\.obj$/i.test(v.mesh) ? 'obj' : 'stl' });
    }
  }
  return out;
}

/** The URL the page fetches a mesh from. */
export function meshUrl(asset: MeshAsset): string {
  return MESH_ROUTE + asset.id;
}
