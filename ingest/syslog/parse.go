package syslog

import (
	"strconv"
	"strings"
	"time"
)

// Message is one syslog message turned into the line a log file holds.
type Message struct {
	// Line is the message in the form Postfix's log file (or rsyslog's
	// file output) has, "TIMESTAMP HOST TAG[PID]: TEXT", which package
	// sendlog parses: an RFC 3164 message keeps its own time stamp
	// ("Nov  2 02:14:07"), an RFC 5424 message its RFC 3339 one.
	Line string
	// Facility and Severity from the PRI (RFC 5424 §6.2.1); -1 when the
	// message had none.
	Facility, Severity int
	// Format is "rfc3164", "rfc5424", or "unknown" (kept whole, after the
	// receive time and the sender).
	Format string
}

var monthAbbr = map[string]bool{"Jan": true, "Feb": true, "Mar": true, "Apr": true, "May": true, "Jun": true,
	"Jul": true, "Aug": true, "Sep": true, "Oct": true, "Nov": true, "Dec": true}

// Parse reads one syslog message (RFC 3164 or RFC 5424, with or without
// PRI) received at recv from the host peer (its address, used when the
// message names no host) into a file-form line. Nothing is dropped: text
// that follows neither RFC is kept whole behind the receive time, so
// package sendlog counts it as an unknown line.
func Parse(b []byte, recv time.Time, peer string) Message {
	s := clean(b)
	m := Message{Facility: -1, Severity: -1}
	if len(s) > 2 && s[0] == '<' {
		if i := strings.IndexByte(s[:min(len(s), 5)], '>'); i > 1 {
			if pri, err := strconv.Atoi(s[1:i]); err == nil && pri >= 0 && pri <= 191 && (i == 2 || s[1] != '0') {
				m.Facility, m.Severity = pri/8, pri%8
				s = s[i+1:]
			}
		}
	}
	if m.Facility >= 0 && strings.HasPrefix(s, "1 ") {
		if line, ok := parse5424(s[2:], recv, peer); ok {
			m.Line, m.Format = line, "rfc5424"
			return m
		}
	}
	if line, ok := parse3164(s, peer); ok {
		m.Line, m.Format = line, "rfc3164"
		return m
	}
	m.Line = recv.Format(time.RFC3339Nano) + " " + hostOf(peer) + " syslog: " + s
	m.Format = "unknown"
	return m
}

// clean makes one line of a message: trailing line ends and NULs off,
// inner line ends and other control characters as spaces (a log file has
// one message per line).
func clean(b []byte) string {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == 0) {
		b = b[:len(b)-1]
	}
	ok := true
	for _, c := range b {
		if c < 0x20 && c != '\t' || c == 0x7f {
			ok = false
			break
		}
	}
	if ok {
		return string(b)
	}
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 && c != '\t' || c == 0x7f {
			c = ' '
		}
		out[i] = c
	}
	return string(out)
}

func hostOf(peer string) string {
	if peer == "" {
		return "-"
	}
	if h, _, err := splitHostPort(peer); err == nil {
		return h
	}
	return peer
}

func splitHostPort(s string) (string, string, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, "", nil
	}
	h := strings.Trim(s[:i], "[]")
	return h, s[i+1:], nil
}

// parse3164 reads "TIMESTAMP [HOST] TAG[PID]: MSG" (RFC 3164 §4.1.2), the
// timestamp classic ("Nov  2 02:14:07", fractions allowed) or RFC 3339
// (rsyslog's forward format). A message without a host (logger and some
// devices send none) gets the sender's address.
func parse3164(s, peer string) (string, bool) {
	var stamp string
	switch {
	case len(s) >= 16 && monthAbbr[s[:3]] && s[3] == ' ':
		// "Mmm dd hh:mm:ss" with optional ".frac"
		if !(isDigit(s[5]) && (s[4] == ' ' || isDigit(s[4])) && s[6] == ' ' && isClock(s[7:15])) {
			return "", false
		}
		n := 15
		if n < len(s) && s[n] == '.' {
			n++
			for n < len(s) && isDigit(s[n]) {
				n++
			}
		}
		stamp, s = s[:n], s[n:]
	case len(s) >= 20 && isDigit(s[0]) && s[4] == '-':
		sp := strings.IndexByte(s, ' ')
		if sp < 0 {
			return "", false
		}
		if _, err := time.Parse(time.RFC3339Nano, s[:sp]); err != nil {
			return "", false
		}
		stamp, s = s[:sp], s[sp:]
	default:
		return "", false
	}
	if !strings.HasPrefix(s, " ") {
		return "", false
	}
	s = strings.TrimLeft(s, " ")
	// The next word is the host, unless it is already the tag.
	sp := strings.IndexByte(s, ' ')
	first := s
	if sp >= 0 {
		first = s[:sp]
	}
	host := ""
	if isTag(first) {
		host = hostOf(peer)
	} else if sp >= 0 {
		host, s = first, s[sp+1:]
	} else {
		return "", false
	}
	// rsyslog forwards an RFC 5424 message in the traditional format with
	// its tag "app[procid]" and no colon; the file form has one.
	if w, rest, ok := strings.Cut(s, " "); ok && strings.HasSuffix(w, "]") && strings.Contains(w, "[") && !strings.Contains(w, ":") {
		s = w + ": " + rest
	}
	return stamp + " " + host + " " + s, true
}

// isTag tells "postfix/smtpd[123]:" or "sm-mta:" (a tag) from a host name.
func isTag(w string) bool {
	return strings.HasSuffix(w, ":") || strings.HasSuffix(w, "]") && strings.Contains(w, "[")
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isClock(s string) bool {
	return len(s) == 8 && isDigit(s[0]) && isDigit(s[1]) && s[2] == ':' && isDigit(s[3]) && isDigit(s[4]) &&
		s[5] == ':' && isDigit(s[6]) && isDigit(s[7])
}

// parse5424 reads what follows "<PRI>1 " (RFC 5424 §6): TIMESTAMP HOSTNAME
// APP-NAME PROCID MSGID STRUCTURED-DATA [MSG].
func parse5424(s string, recv time.Time, peer string) (string, bool) {
	var f [5]string
	for i := range f {
		sp := strings.IndexByte(s, ' ')
		if sp <= 0 {
			if i == 4 && s != "" { // MSGID last, no SD: tolerate
				f[i], s = s, ""
				break
			}
			return "", false
		}
		f[i], s = s[:sp], s[sp+1:]
	}
	stamp := f[0]
	if stamp == "-" {
		stamp = recv.Format(time.RFC3339Nano)
	} else if _, err := time.Parse(time.RFC3339Nano, stamp); err != nil {
		return "", false
	}
	host := f[1]
	if host == "-" {
		host = hostOf(peer)
	}
	app := f[2]
	if app == "-" {
		app = "syslog"
	}
	// STRUCTURED-DATA: "-" or [id param="value" …]… with \] \" \\ escapes.
	switch {
	case strings.HasPrefix(s, "-"):
		s = s[1:]
	case strings.HasPrefix(s, "["):
		for strings.HasPrefix(s, "[") {
			i, inQuote := 1, false
			for ; i < len(s); i++ {
				c := s[i]
				if c == '\\' {
					i++
					continue
				}
				if c == '"' {
					inQuote = !inQuote
				}
				if c == ']' && !inQuote {
					break
				}
			}
			if i >= len(s) {
				return "", false
			}
			s = s[i+1:]
		}
	case s == "":
	default:
		return "", false
	}
	s = strings.TrimPrefix(s, " ")
	s = strings.TrimPrefix(s, "\ufeff") // BOM of a UTF-8 MSG (§6.4)
	// rsyslog keeps the space after an RFC 3164 tag in MSG; a log file's
	// text starts after one.
	s = strings.TrimLeft(s, " ")
	tag := app
	if f[3] != "-" {
		tag += "[" + f[3] + "]"
	}
	return stamp + " " + host + " " + tag + ": " + s, true
}
