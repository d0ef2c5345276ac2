#!/usr/bin/env bash
# Opens the report as a person would: compare --redraw writes report.html
# (and report.md, the charts) from a committed results.json of a real run
# (bench/testdata/report_results.json, 4 variants), then Debian's chromium
# renders the page headless to a PNG, and the test checks
# - report.html: one <img> per chart that compare drew and report.md
#   shows, each a base64 PNG inside the page, and nothing fetched from
#   anywhere (no other src or href);
# - the screenshot: the window's size; charts really drawn in it: every
#   variant's colour covers at least 1,000 pixels, coloured pixels (only the
#   charts have any: the page's own style is grey) at least 20,000, and it
#   has at least 1,000 distinct colours, as antialiased plots do (a page of
#   text has a few hundred greys). The fixture's page showed about 6,000
#   colours, 65,000 coloured pixels and 5,000 to 19,000 per variant.
# Timings in the fixture are read, never asserted on.
set -u
py=/usr/bin/python3 # Debian's: it has python3-matplotlib and python3-pil
tmp=${TEST_TMPDIR:-$(mktemp -d)}
out=$tmp/report
width=1280
height=9000
export MPLCONFIGDIR=$tmp/mpl # matplotlib's font cache: somewhere writable

bash bench/compare.sh --redraw bench/testdata/report_results.json --out "$out" ||
    { echo "FAIL: compare --redraw exited $?"; exit 1; }

# chromium wants a writable HOME and profile; --no-sandbox as root (CI);
# /dev/shm may be small or absent in a sandbox.
export HOME=$tmp/home
mkdir -p "$HOME"
start=$(date +%s)
timeout 180 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --hide-scrollbars --force-device-scale-factor=1 --user-data-dir="$tmp/profile" \
    --window-size="$width,$height" --screenshot="$tmp/report.png" \
    "file://$out/report.html" >"$tmp/chromium.log" 2>&1
rc=$?
echo "chromium: exit $rc in $(($(date +%s) - start)) s"
if [ ! -s "$tmp/report.png" ]; then
    echo "FAIL: chromium wrote no screenshot (exit $rc); its output:"
    tail -n 30 "$tmp/chromium.log"
    exit 1
fi
# Kept for a person to look at, when Bazel runs the test.
[ -n "${TEST_UNDECLARED_OUTPUTS_DIR:-}" ] && cp "$tmp/report.png" "$TEST_UNDECLARED_OUTPUTS_DIR/"

"$py" - "$out" "$tmp/report.png" "$width" "$height" <<'PY'
import base64, json, os, re, sys
from PIL import Image

out, shot, width, height = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
fail = []
page = open(os.path.join(out, "report.html")).read()
md = open(os.path.join(out, "report.md")).read()
charts = sorted(f for f in os.listdir(out) if f.endswith(".png"))
shown = re.findall(r"^!\[[^\]]*\]\(([^)]+)\)$", md, re.M)
imgs = re.findall(r"<img [^>]*src=\"([^\"]*)\"", page)
if len(charts) < 4 or sorted(shown) != charts:
    fail.append("report.md shows %s; compare drew %s" % (sorted(shown), charts))
if len(imgs) != len(charts) or page.count("<img ") != len(charts):
    fail.append("report.html has %d <img>, for %d charts" % (page.count("<img "), len(charts)))
for src in imgs:
    head = "data:image/png;base64,"
    if not src.startswith(head) or base64.b64decode(src[len(head):])[:8] != b"\x89PNG\r\n\x1a\n":
        fail.append("an <img> that is not a PNG inside the page: " + src[:60])
outside = re.findall(r"(?:src|href)=\"(?!data:)[^\"]*\"|url\(|https?://", page)
if outside:
    fail.append("report.html refers outside itself: %s" % outside[:3])

img = Image.open(shot).convert("RGB")
if img.size != (width, height):
    fail.append("screenshot is %dx%d, not %dx%d" % (img.size + (width, height)))
counts = img.getcolors(maxcolors=1 << 24)
coloured = sum(n for n, (r, g, b) in counts if max(r, g, b) - min(r, g, b) > 40)
variants = list(json.load(open("bench/testdata/report_results.json"))["meta"]["variants"])
# compare_charts.PALETTE: matplotlib's tab10, variant i in colour i.
tab10 = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40)]
by_colour = dict((c, n) for n, c in counts)
for v, c in zip(variants, tab10):
    if by_colour.get(c, 0) < 1000:
        fail.append("variant %s's colour %s covers %d pixels" % (v, c, by_colour.get(c, 0)))
if coloured < 20000:
    fail.append("only %d coloured pixels: are the charts there?" % coloured)
if len(counts) < 1000:
    fail.append("only %d distinct colours: are the charts there?" % len(counts))
for f in fail:
    print("FAIL:", f)
if not fail:
    print("ok: %d charts inside report.html; screenshot %dx%d with %d colours, %d coloured "
          "pixels, variants' colours %s" % (len(charts), width, height, len(counts), coloured,
                                             [by_colour.get(c, 0) for c in tab10[:len(variants)]]))
sys.exit(1 if fail else 0)
PY
