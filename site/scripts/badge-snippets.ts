// Completes the badge URLs from this page's address when the build did not know it, and turns
// on the copy buttons; without JavaScript the snippets are plain, selectable text.
for (const part of document.querySelectorAll<HTMLElement>('[data-url]')) {
  const url = new URL(part.dataset.url!, location.href).href;
  part.textContent = part.dataset.encode === undefined ? url : encodeURIComponent(url);
}
const say = (text: string) => (document.querySelector('.copy-status')!.textContent = text);
for (const button of document.querySelectorAll<HTMLButtonElement>('[data-copy]')) {
  // Only where the page may write to the clipboard (https or localhost); the text stays selectable.
  button.hidden = !navigator.clipboard;
  button.onclick = () =>
    navigator.clipboard.writeText(document.getElementById(button.dataset.copy!)!.textContent!).then(
      () => say('Copied to the clipboard.'),
      () => say('Could not copy: select the text and copy it.'),
    );
}
