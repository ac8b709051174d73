/**
 * What an import says besides the spec: warnings about what it ignored or approximated. Each
 * message is said once; ignored elements and attributes are grouped by kind with a count and
 * the first place they occur, so a Menagerie model with 200 visual meshes gives one line.
 */
import type { XmlElement } from './xml.js';

export class ImportNotes {
  private readonly messages: string[] = [];
  private readonly ignored = new Map<string, { count: number; first: XmlElement; why: string }>();

  warn(message: string): void {
    if (!this.messages.includes(message)) this.messages.push(message);
  }

  /** an element or attribute (`kind`, e.g. `<site>` or `margin=`) that has no effect here, and why */
  ignore(kind: string, el: XmlElement, why: string): void {
    const seen = this.ignored.get(kind);
    if (seen) seen.count++;
    else this.ignored.set(kind, { count: 1, first: el, why });
  }

  list(): string[] {
    const out = [...this.messages];
    for (const [kind, { count, first, why }] of this.ignored) {
      out.push(`ignored ${kind}${count > 1 ? ` ×${count}` : ''} (first at ${first.file}:${first.line} ${first.path}): ${why}`);
    }
    return out;
  }
}
