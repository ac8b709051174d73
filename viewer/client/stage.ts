/**
 * Renderer, scene, lights with shadows, and a camera that follows the robot: OrbitControls
 * orbit about the torso, and each frame the camera and its target move by however much the
 * torso moved, so the user's chosen angle and distance are kept.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

/**
 * True when WebGL runs on a software rasteriser (SwiftShader, llvmpipe: no GPU, headless CI):
 * the stage then drops MSAA and uses a smaller shadow map, which triples its frame rate there.
 * `?quality=high` or `?quality=low` in the page URL overrides the guess.
 */
function softwareRenderer(): boolean {
  const q = new URLSearchParams(location.search).get('quality');
  if (q === 'high') return false;
  if (q === 'low') return true;
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return true;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return /swiftshader|llvmpipe|softpipe|software/i.test(name);
}

export class Stage {
  readonly software = softwareRenderer();
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  readonly camera: THREE.PerspectiveCamera;
  readonly controls: OrbitControls;
  private readonly sun: THREE.DirectionalLight;
  private readonly follow = new THREE.Vector3();
  private readonly delta = new THREE.Vector3();
  private following = false;
  private lastTrack = 0;

  constructor(container: HTMLElement) {
    this.renderer = new THREE.WebGLRenderer({ antialias: !this.software });
    this.renderer.setPixelRatio(this.software ? 1 : Math.min(2, window.devicePixelRatio));
    this.renderer.shadowMap.enabled = true;
    this.renderer.shadowMap.type = THREE.PCFShadowMap;
    this.renderer.domElement.id = 'view';
    container.appendChild(this.renderer.domElement);

    THREE.Object3D.DEFAULT_UP.set(0, 0, 1);
    this.scene.background = new THREE.Color(0xbfd4e6);
    this.scene.fog = new THREE.Fog(0xbfd4e6, 20, 60);
    this.camera = new THREE.PerspectiveCamera(50, 1, 0.05, 200);
    this.camera.up.set(0, 0, 1);
    this.camera.position.set(-2.6, -3.4, 1.9);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.target.set(0, 0, 0.5);
    this.controls.enableDamping = true;
    this.controls.maxPolarAngle = Math.PI * 0.49;
    this.controls.update();

    this.scene.add(new THREE.HemisphereLight(0xdfeaf5, 0x59604f, 1.1));
    this.sun = new THREE.DirectionalLight(0xffffff, 2.2);
    this.sun.position.set(3, -2, 6);
    this.sun.castShadow = true;
    const shadow = this.software ? 512 : 2048;
    this.sun.shadow.mapSize.set(shadow, shadow);
    const s = this.sun.shadow.camera;
    s.left = s.bottom = -3;
    s.right = s.top = 3;
    s.near = 0.5;
    s.far = 20;
    this.sun.shadow.bias = -0.0005;
    this.sun.shadow.normalBias = 0.03;
    this.scene.add(this.sun, this.sun.target);
    this.resize();
    window.addEventListener('resize', () => this.resize());
  }

  /**
   * Pull the camera back by `factor` from its target and widen the shadow frustum likewise
   * (compare mode: two robots side by side).
   */
  widen(factor: number): void {
    this.delta.copy(this.camera.position).sub(this.controls.target).multiplyScalar(factor);
    this.camera.position.copy(this.controls.target).add(this.delta);
    const s = this.sun.shadow.camera;
    s.left = s.bottom = -3 * factor;
    s.right = s.top = 3 * factor;
    s.updateProjectionMatrix();
    this.controls.update();
  }

  resize(): void {
    const el = this.renderer.domElement.parentElement!;
    const w = el.clientWidth || window.innerWidth, h = el.clientHeight || window.innerHeight;
    this.renderer.setSize(w, h);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
  }

  /** Move camera, orbit target and the shadow-casting light with the torso. */
  track(torso: THREE.Vector3, snap = false): void {
    const now = performance.now();
    const dt = Math.min(0.5, (now - this.lastTrack) / 1000);
    this.lastTrack = now;
    if (!this.following) {
      // first frame: aim at the torso from the default offset
      this.camera.position.add(this.delta.copy(torso).sub(this.controls.target));
      this.controls.target.copy(torso);
      this.follow.copy(torso);
      this.following = true;
    }
    // exponential smoothing with a 0.15 s time constant, whatever the frame rate: the camera
    // trails a walking robot by v·0.15 m and glides rather than jumps after a teleport
    this.delta.copy(torso).sub(this.follow).multiplyScalar(snap ? 1 : 1 - Math.exp(-dt / 0.15));
    this.follow.add(this.delta);
    this.camera.position.add(this.delta);
    this.controls.target.add(this.delta);
    this.sun.position.set(this.follow.x + 3, this.follow.y - 2, this.follow.z + 6);
    this.sun.target.position.copy(this.follow);
  }

  render(): void {
    this.controls.update();
    this.renderer.render(this.scene, this.camera);
  }

  /** Screen position (CSS px, relative to the canvas) of a world point. */
  project(p: THREE.Vector3): { x: number; y: number } {
    const v = p.clone().project(this.camera);
    const el = this.renderer.domElement;
    return { x: ((v.x + 1) / 2) * el.clientWidth, y: ((1 - v.y) / 2) * el.clientHeight };
  }
}
