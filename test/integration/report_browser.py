#!/usr/bin/env python3
"""The analyzer's HTML report in a real browser (suite report-browser).

Renders each page that tools/analyzer wrote in the profile-report run in
headless Chromium (Debian's `chromium`, which tools/setup.sh installs) and
checks that the page drew and that the browser had nothing to complain
about:
  - the screenshot is a PNG that decodes, and is not blank: many colours,
    and a fair share of pixels that are not the background;
  - every <svg> plot has a size on the page;
  - no console error or warning, no uncaught exception, nothing in the
    browser's log at warning level or above (a resource that fails to
    load, a deprecated feature, a blocked request).
The checker is itself checked first, on made-up pages in the same
browser: a page that throws, one that calls console.error, one whose
image is missing and an empty one must each fail for that reason, a
small page with a plot must pass, and its screenshot with one byte
changed must not decode.

Chromium is driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: commands on its fd 3, answers and events on its
fd 4, each a JSON object ended by a NUL byte), one browser for all pages.
Its own logging (--enable-logging=stderr) prints every console message as
INFO:CONSOLE, whatever its level, and nothing for a failed resource load,
so it cannot tell an error from a log line; the protocol can.

  report_browser.py --out DIR [--picture FILE] PAGE.html...

Prints PASS or FAIL per case and ends with "N passed, N failed"
(site_scons/run_suite.py --kind lines). Exits 1 if any case failed.
"""
import argparse
import base64
import collections
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

WIDTH, HEIGHT = 1100, 1000
STARTUP_TIMEOUT = 90  # seconds: Chromium starts slowly on a busy machine
PAGE_TIMEOUT = 30
MAX_HEIGHT = 6000  # pixels of a page's screenshot, at most
PICTURE_SCALE = 0.7
SETTLE = 0.3  # seconds after the load event, for late errors

# Made-up pages for the checker's own cases: (name, page, what must be
# reported, or None for a page that must pass).
SELF_CHECKS = [
    ('self-check-thrown-error',
     '<!DOCTYPE html><html><body><h1>Report</h1>'
     '<script>throw new Error("made-up failure")</script></body></html>',
     'uncaught exception'),
    ('self-check-console-error',
     '<!DOCTYPE html><html><body><h1>Report</h1>'
     '<script>console.error("made-up error")</script></body></html>',
     'console error'),
    ('self-check-missing-image',
     '<!DOCTYPE html><html><body><h1>Report</h1>'
     '<img src="no-such-plot.png"></body></html>',
     'log error'),
    ('self-check-empty-page', '', 'blank'),
    ('self-check-good-page',
     '<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title>'
     '</head><body><h1>A plot</h1><p>four bars</p><svg width="400" '
     'height="200"><rect x="0" y="0" width="90" height="200" fill="#c44"/>'
     '<rect x="100" y="50" width="90" height="150" fill="#d73"/>'
     '<rect x="200" y="100" width="90" height="100" fill="#fa4"/>'
     '<rect x="300" y="150" width="90" height="50" fill="#38c"/></svg>'
     '<script>console.log("a log line is not an error")</script>'
     '</body></html>',
     None),
]


class BrowserError(Exception):
    pass


class Browser:
    """Headless Chromium, spoken to over --remote-debugging-pipe."""

    def __init__(self, binary, workdir, logpath):
        # The pipe's ends must be the child's fds 3 and 4; keep ours above
        # them so that the dup2 in the child cannot clobber one with the
        # other.
        cmd_r, cmd_w = os.pipe()
        ans_r, ans_w = os.pipe()
        self.child_in = fcntl.fcntl(cmd_r, fcntl.F_DUPFD_CLOEXEC, 10)
        self.child_out = fcntl.fcntl(ans_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(cmd_r)
        os.close(ans_w)
        self.wfd, self.rfd = cmd_w, ans_r
        self.buf = b''
        self.events = []
        self.next_id = 0
        self.log = open(logpath, 'wb')
        argv = [binary, '--headless', '--no-sandbox', '--disable-gpu',
                '--remote-debugging-pipe', '--no-first-run',
                '--no-default-browser-check', '--disable-extensions',
                '--hide-scrollbars', '--user-data-dir=' +
                os.path.join(workdir, 'profile'),
                '--window-size=%d,%d' % (WIDTH, HEIGHT), 'about:blank']

        def to_fds_3_and_4():
            os.dup2(self.child_in, 3)
            os.dup2(self.child_out, 4)

        # close_fds=False: the fds made in the child by dup2 must survive;
        # every other fd Python opened is close-on-exec.
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log,
                                     close_fds=False,
                                     preexec_fn=to_fds_3_and_4)
        os.close(self.child_in)
        os.close(self.child_out)
        try:
            self.call('Browser.getVersion', timeout=STARTUP_TIMEOUT,
                      doing='start (its first answer on the DevTools pipe)')
        except BrowserError:
            self.close(ask=False)
            raise

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {'id': self.next_id, 'method': method, 'params': params or {}}
        if session:
            msg['sessionId'] = session
        data = json.dumps(msg).encode() + b'\0'
        try:
            while data:
                data = data[os.write(self.wfd, data):]
        except OSError as e:
            raise BrowserError('chromium stopped listening (%s, status %s) '
                               'when sent %s; its log: %s' % (
                                   e.strerror, self.proc.poll(), method,
                                   self.log.name))
        return self.next_id

    def read(self, deadline, doing):
        """The next message from the browser, before the deadline."""
        while b'\0' not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.rfd], [], [], left)[0]:
                raise BrowserError(
                    'chromium did not %s within %d s (it can be slow on a '
                    'busy machine, but not this slow); its log: %s'
                    % (doing, self.timeout_of(doing), self.log.name))
            chunk = os.read(self.rfd, 1 << 16)
            if not chunk:
                raise BrowserError('chromium exited (status %s) while '
                                   'asked to %s; its log: %s' % (
                                       self.proc.poll(), doing,
                                       self.log.name))
            self.buf += chunk
        msg, self.buf = self.buf.split(b'\0', 1)
        return json.loads(msg)

    def timeout_of(self, doing):
        return STARTUP_TIMEOUT if doing.startswith('start') else PAGE_TIMEOUT

    def call(self, method, params=None, session=None, timeout=PAGE_TIMEOUT,
             doing=None):
        """Send a command and wait for its answer; events that arrive
        meanwhile are kept in self.events."""
        doing = doing or 'answer ' + method
        mid = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            msg = self.read(deadline, doing)
            if msg.get('id') == mid:
                if 'error' in msg:
                    raise BrowserError('%s: %s' % (method, msg['error']))
                return msg.get('result', {})
            if 'method' in msg:
                self.events.append(msg)

    def wait_event(self, method, session, timeout, doing):
        deadline = time.monotonic() + timeout
        for i, ev in enumerate(self.events):
            if ev['method'] == method and ev.get('sessionId') == session:
                return self.events.pop(i)
        while True:
            msg = self.read(deadline, doing)
            if msg.get('method') == method and \
                    msg.get('sessionId') == session:
                return msg
            if 'method' in msg:
                self.events.append(msg)

    def drain(self, seconds):
        """Collect the events of the next few moments."""
        deadline = time.monotonic() + seconds
        while select.select([self.rfd], [], [],
                            max(0, deadline - time.monotonic()))[0]:
            chunk = os.read(self.rfd, 1 << 16)
            if not chunk:
                break
            self.buf += chunk
            while b'\0' in self.buf:
                msg, self.buf = self.buf.split(b'\0', 1)
                msg = json.loads(msg)
                if 'method' in msg:
                    self.events.append(msg)

    def render(self, url, svg_check=False, scale=1):
        """Load url in a new tab: (PNG of the whole page drawn at scale,
        complaints, SVG sizes)."""
        target = self.call('Target.createTarget',
                           {'url': 'about:blank'})['targetId']
        session = self.call('Target.attachToTarget',
                            {'targetId': target,
                             'flatten': True})['sessionId']
        try:
            for domain in ('Page', 'Runtime', 'Log'):
                self.call(domain + '.enable', session=session)
            self.events = [e for e in self.events
                           if e.get('sessionId') != session]
            self.call('Page.navigate', {'url': url}, session=session)
            self.wait_event('Page.loadEventFired', session, PAGE_TIMEOUT,
                            'load %s' % url)
            self.drain(SETTLE)
            svgs = None
            if svg_check:
                svgs = self.call('Runtime.evaluate', {
                    'expression': 'JSON.stringify(Array.from('
                    'document.querySelectorAll("svg"), s => {'
                    'const r = s.getBoundingClientRect();'
                    'return [r.width, r.height]; }))',
                    'returnByValue': True}, session=session)
                svgs = json.loads(svgs['result'].get('value', '[]'))
            # the whole page, not only what fits the window
            size = self.call('Page.getLayoutMetrics',
                             session=session)['cssContentSize']
            shot = self.call('Page.captureScreenshot', {
                'format': 'png', 'captureBeyondViewport': True,
                'clip': {'x': 0, 'y': 0, 'width': size['width'],
                         'height': min(size['height'], MAX_HEIGHT),
                         'scale': scale}}, session=session)
            png = base64.b64decode(shot['data'])
            self.drain(0)
            mine = [e for e in self.events if e.get('sessionId') == session]
            self.events = [e for e in self.events
                           if e.get('sessionId') != session]
        finally:
            try:
                self.call('Target.closeTarget', {'targetId': target})
            except BrowserError:
                pass  # the error that brought us here says more
        return png, complaints(mine), svgs

    def close(self, ask=True):
        """Ask the browser to quit (or not, if it never answered); kill it
        if it has not after 15 s."""
        try:
            if not ask:
                raise BrowserError('not asked')
            self.send('Browser.close')
            self.proc.wait(timeout=15)
        except (BrowserError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        os.close(self.wfd)
        os.close(self.rfd)
        self.log.close()


def complaints(events):
    """What the browser reported against the page: console errors and
    warnings, uncaught exceptions, log entries at warning or error."""
    out = []
    for ev in events:
        p = ev.get('params', {})
        if ev['method'] == 'Runtime.exceptionThrown':
            d = p.get('exceptionDetails', {})
            text = d.get('exception', {}).get('description') or \
                d.get('text', '')
            out.append('uncaught exception: %s' % text.split('\n')[0])
        elif ev['method'] == 'Runtime.consoleAPICalled' and \
                p.get('type') in ('error', 'assert', 'warning'):
            args = ' '.join(str(a.get('value', a.get('description', '')))
                            for a in p.get('args', []))
            out.append('console %s: %s' % (
                'warning' if p['type'] == 'warning' else 'error', args))
        elif ev['method'] == 'Log.entryAdded' and \
                p.get('entry', {}).get('level') in ('error', 'warning'):
            e = p['entry']
            out.append('log %s (%s): %s %s' % (e['level'], e.get('source'),
                                               e.get('text'),
                                               e.get('url', '')))
        elif ev['method'] in ('Inspector.targetCrashed',
                              'Target.targetCrashed'):
            out.append('the page crashed')
    return out


def png_pixels(data):
    """Decode a PNG (8-bit RGB or RGBA, not interlaced, as Chromium writes
    them): (width, height, bytes per pixel, the pixels row after row).
    Raises ValueError."""
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG')
    pos, idat, hdr = 8, b'', None
    while pos + 12 <= len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        crc = data[pos + 8 + n:pos + 12 + n]
        if len(crc) != 4 or zlib.crc32(kind + body) != \
                struct.unpack('>I', crc)[0]:
            raise ValueError('chunk %r is cut short or fails its CRC'
                             % kind)
        if kind == b'IHDR':
            hdr = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
        elif kind == b'IEND':
            break
        pos += 12 + n
    if not hdr or not idat:
        raise ValueError('no IHDR or no IDAT chunk')
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError('unsupported PNG: depth %d, colour type %d, '
                         'interlace %d' % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    try:
        raw = zlib.decompress(idat)
    except zlib.error as e:
        raise ValueError('image data: %s' % e)
    stride = w * bpp
    if len(raw) != h * (stride + 1):
        raise ValueError('image data is %d bytes, not %d'
                         % (len(raw), h * (stride + 1)))
    # "Up" (filter 2), nearly every row Chromium writes, adds the row
    # above byte by byte: done on whole rows as integers, eight bits a
    # lane, with the carries out of each lane masked off.
    low = int.from_bytes(b'\x7f' * stride, 'big')
    high = int.from_bytes(b'\x80' * stride, 'big')
    out = bytearray()
    prev = bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xff
        elif f == 2:
            a = int.from_bytes(line, 'big')
            b = int.from_bytes(prev, 'big')
            line = bytearray((((a & low) + (b & low)) ^ ((a ^ b) & high))
                             .to_bytes(stride, 'big'))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xff
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 0xff
        elif f != 0:
            raise ValueError('bad filter %d in row %d' % (f, y))
        out += line
        prev = line
    return w, h, bpp, bytes(out)


def blankness(png):
    """None if the picture drew something, else why it is blank: fewer
    than 16 colours, or under 1% of the pixels other than the most
    common colour (the background)."""
    w, h, bpp, px = png_pixels(png)
    # each pixel as one 32-bit number (alpha left out), to count them fast
    rgb0 = bytearray(w * h * 4)
    for c in range(3):
        rgb0[c::4] = px[c::bpp]
    counts = collections.Counter(memoryview(rgb0).cast('I'))
    drawn = 1 - max(counts.values()) / (w * h)
    if len(counts) < 16 or drawn < 0.01:
        return 'blank: %d colours, %.2f%% of %dx%d pixels not background' \
            % (len(counts), 100 * drawn, w, h)
    return None


def damaged_png_case(outdir):
    """The decoder refuses a damaged screenshot: the good page's with one
    byte of its image data changed must fail its CRC."""
    name = 'self-check-damaged-png'
    try:
        with open(os.path.join(outdir, 'self-check-good-page.png'),
                  'rb') as f:
            png = bytearray(f.read())
    except OSError as e:
        print('FAIL %s: no screenshot to damage: %s' % (name, e))
        return False
    at = png.index(b'IDAT') + 20
    png[at] ^= 0x55
    try:
        png_pixels(bytes(png))
        ok, why = False, 'the decoder took a damaged PNG'
    except ValueError as e:
        ok, why = 'CRC' in str(e), 'reported %r' % str(e)
    print('%s %s: %s' % ('PASS' if ok else 'FAIL', name, why))
    return ok


def check(browser, name, url, outdir, expect=None, real=False):
    """One case: render, then judge. expect is what the checker must
    report (a self-check), or None for a page that must pass."""
    t0 = time.monotonic()
    found = []
    try:
        png, found, svgs = browser.render(url, svg_check=real)
        with open(os.path.join(outdir, name + '.png'), 'wb') as f:
            f.write(png)
        blank = blankness(png)
        if blank:
            found.append(blank)
        if real:
            flat = [s for s in svgs if s[0] <= 0 or s[1] <= 0]
            if not svgs or flat:
                found.append('plots: %d <svg>, %d of them with no size'
                             % (len(svgs), len(flat)))
    except ValueError as e:
        found.append('screenshot does not decode: %s' % e)
    took = time.monotonic() - t0
    if expect is None:
        ok = not found
        why = '; '.join(found) if found else 'drew, no complaints'
    else:
        ok = any(f.startswith(expect) for f in found)
        why = ('reported %r' % found) if ok else \
            'the checker did not report "%s" (it found %r)' % (expect,
                                                               found)
    print('%s %s: %s, %.1f s' % ('PASS' if ok else 'FAIL', name, why, took))
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True,
                    help='folder for the screenshots and the browser log '
                    '(chromium.log)')
    ap.add_argument('--chromium', default='chromium')
    ap.add_argument('--picture', metavar='FILE',
                    help='also write the first page, drawn at %d%%%% size, '
                    'to FILE (how docs/images/analyzer-report.png is made)'
                    % (PICTURE_SCALE * 100))
    ap.add_argument('pages', nargs='+', help="the analyzer's HTML pages")
    a = ap.parse_args()
    ncases = len(SELF_CHECKS) + 1 + len(a.pages)
    binary = shutil.which(a.chromium)
    if not binary:
        print('FAIL report-browser: %s not found; tools/setup.sh installs '
              "it (Debian's chromium package)" % a.chromium)
        print('0 passed, %d failed' % ncases)
        return 1
    os.makedirs(a.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix='report-browser-')
    passed = failed = 0
    t0 = time.monotonic()
    try:
        browser = Browser(binary, work, os.path.join(a.out, 'chromium.log'))
    except BrowserError as e:
        shutil.rmtree(work, ignore_errors=True)
        print('FAIL report-browser: %s' % e)
        print('0 passed, %d failed' % ncases)
        return 1
    print('chromium up in %.1f s' % (time.monotonic() - t0))
    try:
        cases = []
        for name, page, expect in SELF_CHECKS:
            path = os.path.join(work, name + '.html')
            with open(path, 'w') as f:
                f.write(page)
            cases.append((name, path, expect, False))
        cases.append(('self-check-damaged-png', None, None, False))
        for page in a.pages:
            cases.append((os.path.basename(page), page, None, True))
        for name, path, expect, real in cases:
            if path is None:
                ok = damaged_png_case(a.out)
                passed, failed = passed + ok, failed + (not ok)
                continue
            if real and not os.path.isfile(path):
                print('FAIL %s: no such page (the profile-report suite '
                      'writes it)' % name)
                failed += 1
                continue
            url = 'file://' + os.path.abspath(path)
            try:
                ok = check(browser, name, url, a.out, expect, real)
            except BrowserError as e:
                print('FAIL %s: %s' % (name, e))
                ok = False
            passed, failed = passed + ok, failed + (not ok)
        if a.picture:
            png, found, _ = browser.render(
                'file://' + os.path.abspath(a.pages[0]),
                scale=PICTURE_SCALE)
            with open(a.picture, 'wb') as f:
                f.write(png)
            print('picture of %s: %s, %d bytes%s' % (
                a.pages[0], a.picture, len(png),
                ''.join('; ' + c for c in found)))
    finally:
        browser.close()
        shutil.rmtree(work, ignore_errors=True)
    print('report-browser: %.1f s in all' % (time.monotonic() - t0))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
