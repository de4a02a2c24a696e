package sendlog

import (
	"strings"
	"sync"
	"time"
)

// sysHeader is the parsed front of a syslog line.
type sysHeader struct {
	t    time.Time
	host string
	prog string // the tag without the PID: "postfix/smtpd", "sm-mta"
	pid  int
	msg  string // the text after "tag: "
}

// parseSyslog parses the forms
//
//	Nov  2 02:14:07 host prog[pid]: msg           (RFC 3164, Postfix maillog_file; day space- or zero-padded)
//	Nov  2 02:14:07.123456 host prog[pid]: msg    (fractional seconds)
//	2026-11-02T02:14:07.123456+09:00 host prog[pid]: msg  (rsyslog RFC 3339, journalctl -o short-iso[-precise])
//	<22>1 2026-11-02T02:14:07.123+09:00 host prog pid - - msg  (RFC 5424)
//
// each optionally preceded by a "<PRI>".
func (r *reader) parseSyslog(line string) (h sysHeader, ok bool) {
	s := line
	if len(s) > 0 && s[0] == '<' {
		i := strings.IndexByte(s, '>')
		if i < 2 || i > 4 || !allDigits(s[1:i]) {
			return h, false
		}
		s = s[i+1:]
		if len(s) > 2 && s[0] == '1' && s[1] == ' ' {
			return r.parse5424(s[2:])
		}
	}
	if len(s) < 16 {
		return h, false
	}
	if isDigit(s[0]) {
		sp := strings.IndexByte(s, ' ')
		if sp < 0 {
			return h, false
		}
		t, rest, ok := parseISO(s[:sp], r.loc)
		if !ok || rest != "" {
			return h, false
		}
		h.t = t
		s = s[sp+1:]
	} else {
		t, n, ok := r.stamp.parse(s, &r.years)
		if !ok {
			return h, false
		}
		h.t = t
		s = s[n:]
	}
	// host, then the tag up to ": ".
	sp := strings.IndexByte(s, ' ')
	if sp <= 0 {
		return h, false
	}
	h.host, s = s[:sp], s[sp+1:]
	colon := strings.Index(s, ": ")
	if colon <= 0 {
		if strings.HasSuffix(s, ":") { // an empty message
			colon = len(s) - 1
		} else {
			return h, false
		}
	}
	if colon <= 0 {
		return h, false
	}
	tag := s[:colon]
	h.msg = s[min(colon+2, len(s)):]
	if tag[len(tag)-1] == ']' {
		if lb := strings.LastIndexByte(tag, '['); lb > 0 {
			h.pid = atoi(tag[lb+1 : len(tag)-1])
			tag = tag[:lb]
		}
	}
	if strings.IndexByte(tag, ' ') >= 0 {
		return h, false
	}
	h.prog = tag
	return h, true
}

// parse5424 parses what follows "<PRI>1 ": TIMESTAMP HOST APP PROCID MSGID SD MSG.
func (r *reader) parse5424(s string) (h sysHeader, ok bool) {
	var f [5]string
	for i := range f {
		sp := strings.IndexByte(s, ' ')
		if sp < 0 {
			return h, false
		}
		f[i], s = s[:sp], s[sp+1:]
	}
	t, rest, ok := parseISO(f[0], r.loc)
	if !ok || rest != "" {
		return h, false
	}
	h.t = t
	if f[1] != "-" {
		h.host = f[1]
	}
	h.prog = f[2]
	if f[3] != "-" {
		h.pid = atoi(f[3])
	}
	// Structured data: "-" or one or more [id k="v" …] elements.
	if strings.HasPrefix(s, "-") {
		s = s[1:]
	} else {
		for strings.HasPrefix(s, "[") {
			i := 1
			for ; i < len(s) && s[i] != ']'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
			if i >= len(s) {
				return h, false
			}
			s = s[i+1:]
		}
	}
	s = strings.TrimPrefix(s, " ")
	s = strings.TrimPrefix(s, "\ufeff") // BOM of an UTF-8 MSG
	h.msg = s
	return h, h.prog != ""
}

// progFamily tells which MTA a syslog tag belongs to.
func progFamily(prog string) Format {
	switch {
	case strings.HasPrefix(prog, "postfix"): // postfix/smtpd, postfix-out/smtp, postfix/submission/smtpd
		return Postfix
	case prog == "sm-mta" || prog == "sendmail" || strings.HasPrefix(prog, "sm-m"): // sm-mta, sm-msp-queue, sm-mta-rx
		return Sendmail
	}
	return Auto
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// stampCache parses classic "Mmm dd hh:mm:ss[.frac] " stamps, remembering
// the last one: consecutive lines usually share it.
type stampCache struct {
	loc  *time.Location
	last string
	t    time.Time
}

// parse parses the stamp at the start of s and returns its time and the
// length of the stamp with the space after it.
func (c *stampCache) parse(s string, y *yearGuesser) (time.Time, int, bool) {
	// "Nov  2 02:14:07 " is 16 bytes; a fraction follows the seconds.
	if len(s) < 16 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':' {
		return time.Time{}, 0, false
	}
	n := 15
	for n < len(s) && s[n] != ' ' {
		n++
	}
	if n >= len(s) {
		return time.Time{}, 0, false
	}
	stamp := s[:n]
	if stamp == c.last {
		return c.t, n + 1, true
	}
	mon := 0
	for i, m := range months {
		if s[:3] == m {
			mon = i + 1
			break
		}
	}
	var day int
	switch {
	case s[4] == ' ' && isDigit(s[5]):
		day = int(s[5] - '0')
	case isDigit(s[4]) && isDigit(s[5]):
		day = int(s[4]-'0')*10 + int(s[5]-'0')
	}
	hh, ok1 := two(s[7:9])
	mm, ok2 := two(s[10:12])
	ss, ok3 := two(s[13:15])
	if mon == 0 || day < 1 || day > 31 || !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, 0, false
	}
	nsec := 0
	if n > 15 {
		var ok bool
		if nsec, ok = fraction(s[15:n]); !ok {
			return time.Time{}, 0, false
		}
	}
	t := y.date(time.Month(mon), day, hh, mm, ss, nsec)
	c.last, c.t = stamp, t
	return t, n + 1, true
}

// yearGuesser gives year-less timestamps a year. The first one gets the
// reference's year, or the year before if that would put it more than two
// days after the reference (a log is not written in the future). After that
// the year follows the log: a timestamp more than 60 days before the
// previous one starts the next year (December → January rollover inside the
// file); smaller steps back (out-of-order lines, clock changes) do not.
type yearGuesser struct {
	ref     time.Time
	loc     *time.Location
	year    int
	prev    time.Time
	started bool
}

const (
	futureSlack  = 48 * time.Hour
	rolloverStep = 60 * 24 * time.Hour
)

func (y *yearGuesser) date(mon time.Month, day, hh, mm, ss, nsec int) time.Time {
	if !y.started {
		y.started = true
		y.year = y.ref.Year()
		if t := time.Date(y.year, mon, day, hh, mm, ss, nsec, y.loc); t.Sub(y.ref) > futureSlack {
			y.year--
		}
	}
	t := time.Date(y.year, mon, day, hh, mm, ss, nsec, y.loc)
	if y.prev.Sub(t) > rolloverStep {
		y.year++
		t = time.Date(y.year, mon, day, hh, mm, ss, nsec, y.loc)
	}
	y.prev = t
	return t
}

// parseISO parses "YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|±hh:mm|±hhmm]" at the
// start of s and returns the rest of s. Without a zone the time is in loc.
func parseISO(s string, loc *time.Location) (t time.Time, rest string, ok bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':' {
		return t, s, false
	}
	year, ok0 := four(s[0:4])
	mon, ok1 := two(s[5:7])
	day, ok2 := two(s[8:10])
	hh, ok3 := two(s[11:13])
	mm, ok4 := two(s[14:16])
	ss, ok5 := two(s[17:19])
	if !(ok0 && ok1 && ok2 && ok3 && ok4 && ok5) || mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 {
		return t, s, false
	}
	s = s[19:]
	nsec := 0
	if len(s) > 0 && (s[0] == '.' || s[0] == ',') {
		i := 1
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		nsec, ok = fraction(s[:i])
		if !ok {
			return t, s, false
		}
		s = s[i:]
	}
	if len(s) > 0 {
		switch s[0] {
		case 'Z':
			loc, s = time.UTC, s[1:]
		case '+', '-':
			off, n, ok := parseOffset(s)
			if !ok {
				return t, s, false
			}
			loc, s = fixedZone(off), s[n:]
		}
	}
	return time.Date(year, time.Month(mon), day, hh, mm, ss, nsec, loc), s, true
}

// parseOffset parses "+hh:mm" or "+hhmm" (or "-…") and returns seconds east
// of UTC and the length parsed.
func parseOffset(s string) (int, int, bool) {
	if len(s) < 5 {
		return 0, 0, false
	}
	h, ok1 := two(s[1:3])
	var m int
	var ok2 bool
	n := 5
	if s[3] == ':' {
		if len(s) < 6 {
			return 0, 0, false
		}
		m, ok2 = two(s[4:6])
		n = 6
	} else {
		m, ok2 = two(s[3:5])
	}
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, 0, false
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return off, n, true
}

// fixedZone returns a zone for an offset, shared across reads (Read may run
// in several goroutines, hence the sync.Map).
var zoneCache sync.Map // int → *time.Location

func fixedZone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	if z, ok := zoneCache.Load(off); ok {
		return z.(*time.Location)
	}
	z, _ := zoneCache.LoadOrStore(off, time.FixedZone("", off))
	return z.(*time.Location)
}

// fraction parses ".ddd…" into nanoseconds.
func fraction(s string) (int, bool) {
	if len(s) < 2 || (s[0] != '.' && s[0] != ',') {
		return 0, false
	}
	ns, scale := 0, 100000000
	for i := 1; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		ns += int(s[i]-'0') * scale
		scale /= 10
	}
	return ns, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func two(s string) (int, bool) {
	if len(s) != 2 || !isDigit(s[0]) || !isDigit(s[1]) {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

func four(s string) (int, bool) {
	a, ok1 := two(s[:2])
	b, ok2 := two(s[2:])
	return a*100 + b, ok1 && ok2
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

// atoi parses a non-negative decimal number, ignoring anything after it;
// 0 if s does not start with a digit. It saturates instead of overflowing.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && isDigit(s[i]); i++ {
		if n > (1<<62)/10 {
			return 1 << 62
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}
