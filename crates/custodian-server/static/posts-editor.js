// The post editor: keeps the highlight backdrop scrolled with the textarea it sits behind.
// The marked-up text itself comes from the server (hx-post="/posts/highlight" after a 400 ms
// pause in typing); nothing here decides what is a finding.
document.addEventListener("DOMContentLoaded", () => {
  const input = document.getElementById("post-text");
  const backdrop = document.getElementById("post-highlight");
  if (!input || !backdrop) return;
  const sync = () => {
    backdrop.scrollTop = input.scrollTop;
  };
  input.addEventListener("scroll", sync);
  input.addEventListener("input", sync);
  new ResizeObserver(sync).observe(input);
  document.body.addEventListener("htmx:afterSwap", sync);
  sync();
});
