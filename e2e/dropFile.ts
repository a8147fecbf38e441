import type { Page } from '@playwright/test';

/** The few browser globals `dropFile` uses; this file is compiled for Node, without the DOM lib. */
interface DropGlobals {
  DataTransfer: new () => { items: { add(file: unknown): void } };
  DragEvent: new (type: string, init: { dataTransfer: unknown; bubbles: boolean; cancelable?: boolean }) => unknown;
  File: new (parts: Uint8Array[], name: string) => unknown;
  dispatchEvent(event: unknown): boolean;
  document: { querySelector(selector: string): { dispatchEvent(event: unknown): boolean } | null };
}

/**
 * Drops a file as a file manager would: on the Plugins page's drop zone, or on whatever is
 * under the pointer elsewhere in the window (`on: 'window'`).
 */
export async function dropFile(page: Page, name: string, bytes: Buffer, on: 'zone' | 'window' = 'zone'): Promise<void> {
  await page.evaluate(
    ({ name, data, on }) => {
      const g = globalThis as unknown as DropGlobals;
      const transfer = new g.DataTransfer();
      transfer.items.add(new g.File([new Uint8Array(data)], name));
      g.dispatchEvent(new g.DragEvent('dragenter', { dataTransfer: transfer, bubbles: true }));
      const target = g.document.querySelector(on === 'zone' ? '[data-testid="drop-zone"]' : 'main');
      if (!target) throw new Error(`nothing to drop on (${on})`);
      for (const type of ['dragover', 'drop']) {
        target.dispatchEvent(new g.DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    },
    { name, data: [...bytes], on },
  );
}
