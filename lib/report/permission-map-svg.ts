import { GuardrailError } from '../errors';
import { PermissionMap } from './permission-map';
import { renderPermissionMapDot } from './permission-map-dot';

/** The optional peer that renders SVG: Graphviz compiled to WebAssembly (MIT), offline, no browser. */
export const SVG_RENDERER_PACKAGE = '@viz-js/viz';

/** The slice of @viz-js/viz this file uses (its types stay out of our public declarations). */
interface VizModule {
  instance(): Promise<{ renderString(input: string, options: { format: string; engine: string }): string }>;
}

/**
 * The permission map as an SVG picture: the DOT rendering laid out by Graphviz (`dot` engine).
 * The renderer is an optional peer loaded here only, so `check` and the other formats never pay
 * for it; when it is absent the error names the package and the install command. Graphviz's
 * WebAssembly build measures text with fixed font metrics, so the same map gives the same SVG on
 * every machine.
 */
export async function renderPermissionMapSvg(map: PermissionMap): Promise<string> {
  const viz = await loadViz();
  const svg = viz.renderString(renderPermissionMapDot(map), { format: 'svg', engine: 'dot' });
  return svg.endsWith('\n') ? svg : `${svg}\n`;
}

async function loadViz(): Promise<Awaited<ReturnType<VizModule['instance']>>> {
  let mod: VizModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(SVG_RENDERER_PACKAGE) as VizModule;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((e as Error).message).includes(SVG_RENDERER_PACKAGE)) {
      throw new GuardrailError('AG_OPTIONAL_PEER_MISSING', GuardrailError.format('--format svg', `needs the optional peer ${SVG_RENDERER_PACKAGE}`, 'not installed', `Install it: npm install --save-dev ${SVG_RENDERER_PACKAGE}@^3 (or use --format mermaid).`));
    }
    throw e;
  }
  return mod.instance();
}
