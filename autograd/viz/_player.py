"""A frame player in plain HTML: every frame inline, a slider, previous/next and play.

The page needs no server, no kernel and no network: the frames are base64 data URIs
inside ``<img>`` elements (all but the current one ``hidden``), and a few lines of
JavaScript move between them. Without JavaScript the first frame still shows. Each
player has its own element id, so several can live on one page (or in one notebook).
"""
import base64
import html
import json
import uuid

_STYLE = """
.gt-player { font-family: Helvetica, Arial, sans-serif; font-size: 14px; }
.gt-player .gt-controls { display: flex; align-items: center; gap: 8px; margin: 6px 0; }
.gt-player .gt-slider { flex: 0 1 420px; }
.gt-player button { font-size: 14px; padding: 2px 10px; cursor: pointer; }
.gt-player .gt-label { font-variant-numeric: tabular-nums; min-width: 9em; }
.gt-player img.gt-frame { max-width: 100%; height: auto; display: block; }
.gt-player img.gt-frame[hidden] { display: none; }
"""

_SCRIPT = """
(function () {
  var root = document.getElementById(%(id)s);
  if (!root || root.getAttribute("data-ready")) return;
  root.setAttribute("data-ready", "1");
  var frames = root.querySelectorAll("img.gt-frame"), n = frames.length, timer = null;
  var slider = root.querySelector(".gt-slider"), label = root.querySelector(".gt-label");
  var play = root.querySelector(".gt-play");
  function show(k) {
    k = Math.max(1, Math.min(n, Math.round(k)));
    for (var i = 0; i < n; i++) frames[i].hidden = (i !== k - 1);
    slider.value = String(k);
    label.textContent = "step " + k + " of " + n;
    root.setAttribute("data-step", String(k));
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = "\\u25B6 play";
  }
  function onSlide() { stop(); show(+slider.value); }
  slider.addEventListener("input", onSlide);
  slider.addEventListener("change", onSlide);
  root.querySelector(".gt-prev").addEventListener("click", function () { stop(); show(+slider.value - 1); });
  root.querySelector(".gt-next").addEventListener("click", function () { stop(); show(+slider.value + 1); });
  play.addEventListener("click", function () {
    if (timer !== null) { stop(); return; }
    if (+slider.value >= n) show(1);
    play.textContent = "\\u275A\\u275A pause";
    timer = setInterval(function () {
      if (+slider.value >= n) { stop(); return; }
      show(+slider.value + 1);
    }, %(interval)d);
  });
  show(+slider.value);
})();
"""


def _data_uri(frame, fmt):
    if fmt == "svg":
        return "data:image/svg+xml;base64," + base64.b64encode(frame.encode("utf-8")).decode("ascii")
    return "data:image/png;base64," + base64.b64encode(frame).decode("ascii")


def frame_uris(frames, fmt):
    """The data URIs of the frames, in order (what the page's ``<img src>`` hold)."""
    return [_data_uri(f, fmt) for f in frames]


def player_html(frames, captions, fmt="svg", interval=1500, title="", full_page=True):
    """The player for ``frames`` (SVG texts or PNG bytes) with ``captions`` as their
    alternative texts: a page (``full_page``) or a fragment to embed."""
    if not frames:
        raise ValueError("backward_steps: there is no step to show (the grad table is empty)")
    if len(captions) != len(frames):
        raise ValueError(f"{len(frames)} frames but {len(captions)} captions")
    pid = "gt-player-" + uuid.uuid4().hex[:12]
    n = len(frames)
    imgs = "\n".join(
        f'<img class="gt-frame" data-step="{k}" alt="{html.escape(c)}" src="{uri}"'
        f'{"" if k == 1 else " hidden"}>'
        for k, (uri, c) in enumerate(zip(frame_uris(frames, fmt), captions), 1))
    body = (f'<div class="gt-player" id="{pid}" data-step="1" data-steps="{n}">\n'
            f'<div class="gt-controls">'
            f'<button type="button" class="gt-play">\u25B6 play</button>'
            f'<button type="button" class="gt-prev" aria-label="previous step">\u2039</button>'
            f'<input type="range" class="gt-slider" min="1" max="{n}" step="1" value="1" '
            f'aria-label="step">'
            f'<button type="button" class="gt-next" aria-label="next step">\u203A</button>'
            f'<span class="gt-label">step 1 of {n}</span></div>\n{imgs}\n'
            f"<style>{_STYLE}</style>\n"
            f"<script>{_SCRIPT % {'id': json.dumps(pid), 'interval': int(interval)}}</script>\n"
            "</div>")
    if not full_page:
        return body
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n"
            f"<h3 style=\"font-family: Helvetica, Arial, sans-serif\">{html.escape(title)}</h3>\n"
            f"{body}\n</body>\n</html>\n")
