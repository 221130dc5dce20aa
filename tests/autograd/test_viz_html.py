"""The backward pass as one self-contained HTML page: its structure, and the page in a
real headless browser (Chromium through chromedriver): the slider shows the right frame."""
import base64
import json
import os
import re
import shutil
import tempfile

import pytest

import autograd as ag

pytest.importorskip("graphviz")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="the Graphviz `dot` program is not installed")


def notes_example():
    x1 = ag.tensor(2.0, requires_grad=True, name="x1")
    x2 = ag.tensor(3.0, requires_grad=True, name="x2")
    return ag.sin(x1) + x1 * x2


def test_backward_steps_stays_an_iterable_and_an_iterator():
    steps = ag.viz.backward_steps(notes_example())
    assert len(steps) == 5 and repr(steps) == "<backward_steps: 5 steps>"
    first = next(steps)
    assert "step 1 of 5" in first.source and "step 2 of 5" in next(steps).source
    assert [("step %d of 5" % k) in g.source for k, g in enumerate(steps, 1)] == [True] * 5
    assert len(list(steps)) == 5  # iterating again starts over
    assert steps.frame(3).source == list(steps)[2].source
    with pytest.raises(IndexError, match="out of range 1..5"):
        steps.frame(6)


@needs_dot
def test_the_page_is_self_contained(tmp_path):
    steps = ag.viz.backward_steps(notes_example())
    path = steps.to_html(str(tmp_path / "steps.html"))
    page = open(path, encoding="utf-8").read()
    assert page.startswith("<!DOCTYPE html>") and '<input type="range"' in page and "gt-play" in page
    srcs = re.findall(r'<img class="gt-frame" data-step="(\d+)" alt="[^"]*" src="([^"]+)"( hidden)?>', page)
    assert [int(s[0]) for s in srcs] == [1, 2, 3, 4, 5]
    assert [bool(s[2]) for s in srcs] == [False, True, True, True, True]  # only frame 1 without JS
    for k, (_, src, _) in enumerate(srcs, 1):
        assert src.startswith("data:image/svg+xml;base64,")
        svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
        assert svg.startswith("<svg") and f"step {k} of 5" in svg and "</svg>" in svg
    # nothing to fetch: no external script, style sheet, image or frame
    assert not re.search(r'<(script|link|iframe)[^>]*(src|href)=', page)
    assert not re.search(r'src="(?!data:)', page)
    frag = steps.html(full_page=False)
    assert frag.startswith('<div class="gt-player"') and "<html" not in frag
    assert steps._repr_html_().startswith('<div class="gt-player"')
    png = steps.to_html(format="png", dpi=40)
    assert png.count("data:image/png;base64,") == 5
    with pytest.raises(ValueError, match="format must be"):
        steps.images("gif")


def _browser():
    """A headless Chromium driven through chromedriver, or a skip with the reason."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed "
                                    '(pip install "gradtable[dev]")')
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.skip("Chromium and chromedriver are not installed "
                    "(apt-get install chromium chromium-driver)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="gradtable-chromium-")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1400,1000", f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    try:
        browser = webdriver.Chrome(service=Service(driver), options=opts)
    except Exception as e:  # noqa: BLE001 - a browser that cannot start is a skip, with why
        shutil.rmtree(profile, ignore_errors=True)
        pytest.skip(f"headless Chromium did not start: {str(e).splitlines()[0]}")
    browser.set_page_load_timeout(30)
    return browser, profile


_STATE = """
var root = document.querySelector('.gt-player');
var shown = Array.from(root.querySelectorAll('img.gt-frame')).filter(function (i) {
  return !i.hidden && i.offsetParent !== null; });
return {step: root.getAttribute('data-step'), slider: root.querySelector('.gt-slider').value,
        label: root.querySelector('.gt-label').textContent,
        shown: shown.map(function (i) { return i.getAttribute('data-step'); }),
        src: shown.length ? shown[0].getAttribute('src') : null,
        width: shown.length ? shown[0].naturalWidth : 0};
"""


def _saved_notebook_player():
    """The HTML output of notebook 01 that holds the player (None without the notebook)."""
    nb = os.path.join(os.path.dirname(__file__), "..", "..", "notebooks", "01_computational_graphs.ipynb")
    if not os.path.exists(nb):
        return None
    with open(nb, encoding="utf-8") as f:
        cells = json.load(f)["cells"]
    for cell in cells:
        for out in cell.get("outputs", []):
            html = "".join(out.get("data", {}).get("text/html", []))
            if 'class="gt-player"' in html:
                return html
    raise AssertionError("notebook 01 has no saved step-through player in its outputs")


_RECORD = """
window.gtSeen = [];
new MutationObserver(function () {
  window.gtSeen.push(document.querySelector('.gt-player').getAttribute('data-step'));
}).observe(document.querySelector('.gt-player'), {attributes: true, attributeFilter: ['data-step']});
"""


@needs_dot
def test_moving_the_slider_shows_the_right_frame_in_chromium(tmp_path):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    steps = ag.viz.backward_steps(notes_example())
    path = steps.to_html(str(tmp_path / "steps.html"), interval=100)
    want = [m for m in re.findall(r'src="(data:[^"]+)"', open(path, encoding="utf-8").read())]
    browser, profile = _browser()
    try:
        browser.get("file://" + os.path.abspath(path))
        state = browser.execute_script(_STATE)
        assert state["shown"] == ["1"] and state["label"] == "step 1 of 5" and state["src"] == want[0]
        assert state["width"] > 200  # the SVG decoded and has its size
        slider = browser.find_element("css selector", ".gt-slider")
        slider.click()  # focus; a click may move the thumb: start again from the left end
        slider.send_keys(Keys.HOME)
        for k in (2, 3, 4):
            slider.send_keys(Keys.ARROW_RIGHT)  # the keyboard moves a native range input
            state = browser.execute_script(_STATE)
            assert state["shown"] == [str(k)] and state["step"] == state["slider"] == str(k)
            assert state["label"] == f"step {k} of 5" and state["src"] == want[k - 1]
            assert state["width"] > 200
        slider.send_keys(Keys.END)
        assert browser.execute_script(_STATE)["shown"] == ["5"]
        browser.find_element("css selector", ".gt-prev").click()
        assert browser.execute_script(_STATE)["shown"] == ["4"]
        # play from the end starts over at 1 and runs to the last frame
        slider.send_keys(Keys.END)
        browser.execute_script(_RECORD)
        browser.find_element("css selector", ".gt-play").click()
        WebDriverWait(browser, 10).until(lambda b: b.execute_script("return window.gtSeen.length") >= 5)
        assert browser.execute_script("return window.gtSeen") == ["1", "2", "3", "4", "5"]
        state = browser.execute_script(_STATE)
        assert state["shown"] == ["5"] and state["src"] == want[4]
        assert "play" in browser.find_element("css selector", ".gt-play").text  # stopped at the end
        # the player saved in notebook 01 steps too, with no kernel
        saved = _saved_notebook_player()
        if saved is not None:
            page = tmp_path / "notebook01.html"
            page.write_text(f"<!DOCTYPE html><html><body>{saved}</body></html>", encoding="utf-8")
            browser.get("file://" + str(page))
            slider = browser.find_element("css selector", ".gt-slider")
            slider.click()
            slider.send_keys(Keys.HOME, Keys.ARROW_RIGHT)
            state = browser.execute_script(_STATE)
            assert state["shown"] == ["2"] and state["label"] == "step 2 of 5" and state["width"] > 200
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)
