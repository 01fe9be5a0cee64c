import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { h } from './dom.js';

// GitHub-flavoured Markdown; single newlines are line breaks, as in a chat.
const parser = new Marked({ gfm: true, breaks: true, async: false });

// Links leave the workbench in a new tab, without handing it a reference to this page.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node instanceof HTMLAnchorElement && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

/** A copy button for a code block; it says "Copied" for a moment once the text is on the clipboard. */
function copyButton(code: string): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'copy', 'aria-label': 'Copy code' }, 'Copy');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(code);
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Copy failed';
    }
    setTimeout(() => (button.textContent = 'Copy'), 1500);
  });
  return button;
}

/**
 * Message text as sanitised HTML: marked renders the Markdown, DOMPurify removes anything that
 * could run script or load content (raw HTML in a message is untrusted). Code blocks get a copy button.
 */
export function renderMarkdown(text: string): HTMLElement {
  const html = (parser.parse(text) as string).trim();
  const fragment = DOMPurify.sanitize(html, { RETURN_DOM_FRAGMENT: true, FORBID_TAGS: ['style', 'img', 'form', 'input'] });
  const container = h('div', { class: 'markdown' });
  container.append(fragment);
  for (const pre of Array.from(container.querySelectorAll('pre'))) {
    const block = h('div', { class: 'code-block' });
    pre.replaceWith(block);
    pre.tabIndex = 0; // a long line scrolls sideways: let the keyboard reach it
    block.append(copyButton((pre.textContent ?? '').replace(/\n$/, '')), pre);
  }
  return container;
}
