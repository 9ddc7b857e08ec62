#!/usr/bin/env python3
"""Open a study report's index.html in headless Chromium and check it renders.

Usage: html_check.py INDEX_HTML SVG_COUNT ROW_COUNT WORKDIR [HEIGHT]
Takes a screenshot of 1280 x HEIGHT px (default 4000; a short page wants
less) that must not be blank: >1% non-white pixels, decoded with a tiny PNG
reader on zlib, no extra packages; and dumps the DOM (must hold
SVG_COUNT inline figures and ROW_COUNT case rows). Then a copy of the page
with a script added (the report has none of its own) is opened at 1280 px:
the browser writes the page's scroll width and viewport width into the DOM,
and the page must not be wider than the viewport (no horizontal scroll).
Prints ok:/FAIL: lines, exits 1 on a failure.
"""
import os, re, struct, subprocess, sys, zlib

MEASURE = ("<script>(function(){var d=document.documentElement,p=document.createElement('p');"
           "p.id='vnl-measure';p.setAttribute('data-scroll-width',d.scrollWidth);"
           "p.setAttribute('data-client-width',d.clientWidth);"
           "p.setAttribute('data-inner-width',window.innerWidth);"
           "document.body.appendChild(p);})();</script>")

def chromium(workdir, *args):
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--user-data-dir=" + os.path.join(workdir, "chrome")] + list(args)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)

def png_nonwhite_fraction(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if typ == b"IHDR":
            w, h, _depth, ctype = struct.unpack(">IIBB", body[:10])
        elif typ == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = {2: 3, 6: 4}[ctype]
    raw, stride = zlib.decompress(idat), w * bpp
    prev, i, nonwhite = bytearray(stride), 0, 0
    for _ in range(h):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp):
            if line[x] < 240 or line[x + 1] < 240 or line[x + 2] < 240:
                nonwhite += 1
        prev = line
    return w, h, nonwhite / (w * h)

def main():
    html, svgs, rows, work = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    height = int(sys.argv[5]) if len(sys.argv) > 5 else 4000
    url = "file://" + os.path.abspath(html)
    shot = os.path.join(work, "shot.png")
    ok = True
    r = chromium(work, "--screenshot=" + shot, "--window-size=1280,%d" % height, url)
    if r.returncode != 0 or not os.path.exists(shot):
        print("FAIL: chromium screenshot: " + r.stderr.decode(errors="replace")[-300:])
        return 1
    w, h, frac = png_nonwhite_fraction(shot)
    good = frac > 0.01
    ok &= good
    print(("ok: " if good else "FAIL: ") + "chromium screenshot %dx%d: %.1f%% non-white pixels" % (w, h, 100 * frac))
    dom = chromium(work, "--dump-dom", url).stdout.decode(errors="replace")
    figs, trs = dom.count("<svg"), dom.count('<tr id="case-')
    good = figs == svgs and trs == rows
    ok &= good
    print(("ok: " if good else "FAIL: ") + "chromium DOM: %d inline SVG figures (want %d), %d case rows (want %d)"
          % (figs, svgs, trs, rows))
    page = open(html, encoding="utf-8").read()
    measure = os.path.join(work, "measure.html")
    with open(measure, "w", encoding="utf-8") as f:
        f.write(page.replace("</body>", MEASURE + "</body>"))
    dom = chromium(work, "--window-size=1280,900", "--dump-dom", "file://" + measure).stdout.decode(errors="replace")
    m = re.search(r'id="vnl-measure" data-scroll-width="(\d+)" data-client-width="(\d+)" data-inner-width="(\d+)"', dom)
    if not m:
        print("FAIL: chromium at 1280 px: the measuring script wrote nothing")
        return 1
    scroll, client, inner = (int(x) for x in m.groups())
    good = inner == 1280 and scroll <= client
    ok &= good
    print(("ok: " if good else "FAIL: ") + "chromium at 1280 px: page scroll width %d, viewport %d (window %d): %s"
          % (scroll, client, inner, "no horizontal scroll" if good else "wider than the viewport"))
    return 0 if ok else 1

sys.exit(main())
