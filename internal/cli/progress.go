package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// progress shows a one-line counter on a terminal's standard error while a
// long run goes on, and the run's figures at the end when asked.
type progress struct {
	w       io.Writer
	live    bool // stderr is a terminal: redraw a status line
	start   time.Time
	last    time.Time
	bytes   int64
	shown   bool
	nowFunc func() time.Time
}

func newProgress(w io.Writer, live bool) *progress {
	now := time.Now()
	return &progress{w: w, live: live, start: now, last: now, nowFunc: time.Now}
}

// tick records one message and redraws the line at most twice a second.
func (p *progress) tick(c counts, size int) {
	p.bytes += int64(size)
	if !p.live {
		// Not a terminal: nothing to draw, and the arguments would be
		// boxed for nothing, four allocations per message.
		return
	}
	p.show(false, "%d messages, %d bounces, %d failed  (%.0f msgs/s)   ", c.messages, c.bounces, c.failed, float64(c.messages)/p.elapsed())
}

// show redraws the status line on a terminal, at most twice a second
// unless force is set.
func (p *progress) show(force bool, format string, args ...any) {
	if !p.live {
		return
	}
	now := p.nowFunc()
	if !force && now.Sub(p.last) < 500*time.Millisecond {
		return
	}
	p.last = now
	p.shown = true
	fmt.Fprintf(p.w, "\r\033[K"+format, args...)
}

// elapsed is the run's time so far in seconds (never zero).
func (p *progress) elapsed() float64 {
	return max(p.nowFunc().Sub(p.start).Seconds(), 1e-9)
}

// done clears the status line.
func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// stats prints throughput and peak memory.
func (p *progress) stats(c counts) {
	el := p.elapsed()
	fmt.Fprintf(p.w, "bouncewatch: %.2f s, %.0f msgs/s, %.1f MB/s", el, float64(c.messages)/el, float64(p.bytes)/el/1e6)
	if rss := peakRSS(); rss > 0 {
		fmt.Fprintf(p.w, ", peak RSS %.1f MB", float64(rss)/1e6)
	}
	fmt.Fprintln(p.w)
}

// peakRSS returns the process's peak resident set size in bytes (Linux
// /proc/self/status VmHWM), or 0 where that is not available.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			fs := strings.Fields(v)
			if len(fs) >= 1 {
				kb, err := strconv.ParseInt(fs[0], 10, 64)
				if err == nil {
					return kb * 1024
				}
			}
		}
	}
	return 0
}
