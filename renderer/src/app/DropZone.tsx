import { useEffect, useRef, useState } from 'react';
import { carriesFiles, handleDrop } from './dropInstall';

/** The Plugins page's drop zone; it lights up while a file is dragged over the window. */
export function DropZone() {
  const [active, setActive] = useState(false);
  const [over, setOver] = useState(false);
  // dragenter/dragleave fire for every element crossed; the count says when the drag left the window.
  const depth = useRef(0);
  const reset = (): void => {
    depth.current = 0;
    setActive(false);
  };
  useEffect(() => {
    const enter = (event: DragEvent): void => {
      if (!carriesFiles(event)) return;
      depth.current++;
      setActive(true);
    };
    const leave = (): void => {
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setActive(false);
    };
    const end = (): void => {
      depth.current = 0;
      setActive(false);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', end);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', end);
    };
  }, []);
  return (
    <div
      className={`drop-zone${active ? ' active' : ''}${over ? ' over' : ''}`}
      data-testid="drop-zone"
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        // The window's own drop handler would install the same file a second time.
        event.stopPropagation();
        setOver(false);
        reset();
        void handleDrop(event.dataTransfer);
      }}
    >
      Drop a <code>.havenplugin</code> file or a plugin folder here (or anywhere on the window) to install it; a <code>.torrent</code> dropped on the window is archived.
    </div>
  );
}
