// A tiny element builder. Text always goes in as text (player and room names are user input), never as HTML.

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }

  node.append(...children.flat().filter(c => c !== null && c !== undefined && c !== false));
  return node;
}

/** The element with data-testid `id`. */
export const $ = id => document.querySelector(`[data-testid="${id}"]`);

export function show(node, visible) {
  node.hidden = !visible;
}
