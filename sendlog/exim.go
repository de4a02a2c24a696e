package sendlog

import (
	"strings"
	"time"
)

// Exim mainlog lines that are known and carry no event.
var eximIgnore = []string{
	"SMTP connection from ", "Start queue run", "End queue run", "exim ", "no immediate delivery",
	"SMTP command timeout", "SMTP protocol", "SMTP call from ", "unexpected disconnection",
	"Spool file is locked", "Spool file for ", "cwd=", "Message is frozen", "Frozen", "Unfrozen",
	"TLS error", "SMTP data timeout", "no IP address found", "rejected EHLO", "rejected HELO",
	"Warning: ", "DKIM: ", "SMTP syntax error", "SMTP connection lost", "Connection from ",
	"daemon started", "Spam score", "tick check", "retry time not reached", "LOG: ",
	"SMTP command", "ACL ", "DANE", "maximum number", "host name alias",
}

// exim handles one mainlog line:
//
//	2026-11-02 02:14:07[.123][ +0900][ [1234]][ 1vXk2O-0004aR-Uj] text
func (r *reader) exim(line string) result {
	t, rest, ok := parseISO(line, r.loc)
	if !ok || len(rest) == 0 || rest[0] != ' ' {
		return resUnknown
	}
	ev := Event{Time: t, Program: "exim"}
	rest = rest[1:]
	// A zone written apart (log_timezone) wins over Location.
	if len(rest) > 5 && (rest[0] == '+' || rest[0] == '-') {
		if off, n, ok := parseOffset(rest); ok && n < len(rest) && rest[n] == ' ' {
			ev.Time = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), fixedZone(off))
			rest = rest[n+1:]
		}
	}
	if len(rest) > 0 && rest[0] == '[' { // [pid] or [pid/id]
		if rb := strings.IndexByte(rest, ']'); rb > 0 {
			pid, _, _ := strings.Cut(rest[1:rb], "/")
			if allDigits(pid) {
				ev.PID = atoi(pid)
				rest = strings.TrimPrefix(rest[rb+1:], " ")
			}
		}
	}
	if sp := strings.IndexByte(rest, ' '); sp > 0 && isEximID(rest[:sp]) {
		ev.QueueID, rest = rest[:sp], rest[sp+1:]
	} else if isEximID(rest) {
		ev.QueueID, rest = rest, ""
	}
	if ev.QueueID != "" {
		switch {
		case strings.HasPrefix(rest, "<= "):
			return r.eximArrival(&ev, rest[3:])
		case strings.HasPrefix(rest, "=> "), strings.HasPrefix(rest, "-> "), strings.HasPrefix(rest, ">> "):
			return r.eximDelivery(&ev, rest[3:], "sent")
		case strings.HasPrefix(rest, "** "):
			return r.eximDelivery(&ev, rest[3:], "bounced")
		case strings.HasPrefix(rest, "== "):
			return r.eximDelivery(&ev, rest[3:], "deferred")
		case strings.HasPrefix(rest, "*> "):
			return r.eximDelivery(&ev, rest[3:], "suppressed")
		case rest == "Completed" || strings.HasPrefix(rest, "Completed "):
			ev.Kind = Done
			r.emit(&ev)
			return resEvent
		}
	}
	switch {
	case strings.Contains(rest, " rejected ") && (strings.HasPrefix(rest, "H=") || strings.Contains(rest, " H=")):
		return r.eximReject(&ev, rest)
	case strings.Contains(rest, " authenticator failed for "):
		return r.eximAuthFail(&ev, rest)
	}
	for _, p := range eximIgnore {
		if strings.HasPrefix(rest, p) {
			return resIgnored
		}
	}
	return resUnknown
}

// isEximID tells an Exim message ID: "1vXk2O-0004aR-Uj" (6-6-2) or, since
// Exim 4.97, "1vXk2O-00000004aR-Ujkl" (6-11-4), in base 62.
func isEximID(s string) bool {
	if (len(s) != 16 || s[13] != '-') && (len(s) != 23 || s[18] != '-') || s[6] != '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' && (i == 6 || i == len(s)-3 && len(s) == 16 || i == len(s)-5 && len(s) == 23) {
			continue
		}
		if !isDigit(c) && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// eximFields splits "K=V K="quoted value" loose tokens" into its fields.
// H= takes the loose "(helo)", "[ip]" and "[ip]:port" tokens that follow it.
// It calls fn for each field (key "" for a loose token) in order.
func eximFields(s string, fn func(k, v string)) {
	for s != "" {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			return
		}
		k := ""
		i := 0
		for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 'a' && s[i] <= 'z' || isDigit(s[i]) || s[i] == '_') {
			i++
		}
		if i > 0 && i < len(s) && s[i] == '=' {
			k, s = s[:i], s[i+1:]
		}
		var v string
		if len(s) > 0 && s[0] == '"' {
			j := 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			v, s = s[1:min(j, len(s))], s[min(j+1, len(s)):]
		} else {
			end := strings.IndexByte(s, ' ')
			if end < 0 {
				end = len(s)
			}
			v, s = s[:end], s[end:]
		}
		if k == "H" {
			// Loose "(helo)" and "[ip]:port" tokens belong to H=.
			for {
				t := strings.TrimLeft(s, " ")
				if !strings.HasPrefix(t, "(") && !strings.HasPrefix(t, "[") {
					break
				}
				end := strings.IndexByte(t, ' ')
				if end < 0 {
					end = len(t)
				}
				v += " " + t[:end]
				s = t[end:]
			}
		}
		fn(k, v)
	}
}

// eximHost splits an H= value "name (helo) [ip]:port", "(helo) [ip]" or
// "name [ip]" into a host name (the helo when there is no name) and the IP.
func eximHost(v string) (host, ip string) {
	for _, t := range strings.Fields(v) {
		switch {
		case strings.HasPrefix(t, "["):
			if rb := strings.IndexByte(t, ']'); rb > 0 {
				ip = t[1:rb]
			}
		case strings.HasPrefix(t, "("):
			if host == "" {
				host = strings.Trim(t, "()")
			}
		default:
			host = t
		}
	}
	return host, ip
}

// eximArrival: "<= sender H=… P=esmtpsa A=dovecot_plain:user S=2345 id=msgid [R=origid] [for rcpts]".
func (r *reader) eximArrival(ev *Event, s string) result {
	ev.Kind = Accept
	sender, rest, _ := strings.Cut(s, " ")
	if sender != "<>" {
		ev.From = sender
	}
	ref := ""
	eximFields(rest, func(k, v string) {
		switch k {
		case "H":
			ev.ClientHost, ev.ClientIP = eximHost(v)
		case "U":
			if ev.ClientHost == "" {
				ev.ClientHost = "localhost"
			}
			ev.Text = "U=" + v
		case "A":
			if _, id, ok := strings.Cut(v, ":"); ok {
				ev.SASLUser = id
			}
		case "S":
			ev.Size = int64(atoi(v))
		case "id":
			ev.MessageID = v
		case "R":
			ref = v
		}
	})
	if i := strings.Index(rest, " for "); i >= 0 && !strings.Contains(rest[i:], "=") {
		ev.NRcpt = len(strings.Fields(rest[i+5:]))
	}
	r.emit(ev)
	if ref != "" && ev.From == "" && isEximID(ref) {
		// A bounce (or delay warning) generated for message ref.
		b := Event{Time: ev.Time, Program: ev.Program, PID: ev.PID, Kind: Bounce, QueueID: ref, BounceID: ev.QueueID, Status: "non-delivery", Text: "bounce message"}
		r.emit(&b)
	}
	return resEvent
}

// eximDelivery: "rcpt [<orig>] [(parent)] R=router T=transport H=host [ip] C="250 …"" for
// deliveries, and "rcpt … : reason" for failures and deferrals.
func (r *reader) eximDelivery(ev *Event, s, status string) result {
	ev.Kind, ev.Status = Deliver, status
	head, reason := s, ""
	if status != "sent" {
		if i := strings.Index(s, ": "); i >= 0 {
			head, reason = s[:i], s[i+2:]
		}
	}
	rcpt, rest, _ := strings.Cut(head, " ")
	ev.To = strings.TrimSuffix(rcpt, ":")
	if strings.HasPrefix(rest, "<") {
		if gt := strings.IndexByte(rest, '>'); gt > 0 {
			ev.OrigTo = rest[1:gt]
			rest = rest[gt+1:]
		}
	}
	eximFields(rest, func(k, v string) {
		switch k {
		case "H":
			ev.Relay, ev.RelayIP = eximHost(v)
		case "C":
			if ev.Text == "" {
				ev.Text = v
			}
		case "T":
			if ev.Relay == "" && v != "remote_smtp" {
				ev.Relay = v // a local transport
			}
		}
	})
	if reason != "" {
		ev.Text = reason
	}
	ev.DSN = findDSN(ev.Text)
	r.emit(ev)
	return resEvent
}

// eximReject: "H=(pc01) [198.51.100.7] F=<a@b> rejected RCPT <c@d>: relay not permitted".
func (r *reader) eximReject(ev *Event, s string) result {
	ev.Kind = Reject
	head, reason, _ := strings.Cut(s, ": ")
	ev.Text = reason
	before, cmd, _ := strings.Cut(head, " rejected ")
	eximFields(before, func(k, v string) {
		switch k {
		case "H":
			ev.ClientHost, ev.ClientIP = eximHost(v)
		case "F":
			ev.From = unbracket(v)
		case "A":
			if _, id, ok := strings.Cut(v, ":"); ok {
				ev.SASLUser = id
			}
		}
	})
	if c, arg, ok := strings.Cut(cmd, " "); ok && c == "RCPT" {
		ev.To = unbracket(arg)
	}
	ev.DSN = findDSN(reason)
	r.emit(ev)
	return resEvent
}

// eximAuthFail: "dovecot_plain authenticator failed for (pc01) [198.51.100.7]:54321: 535 Incorrect authentication data (set_id=user)".
func (r *reader) eximAuthFail(ev *Event, s string) result {
	ev.Kind = AuthFail
	auth, rest, _ := strings.Cut(s, " authenticator failed for ")
	if i := strings.Index(rest, "]:"); i >= 0 {
		client := rest[:i+1]
		rest = rest[i+2:]
		// a port may follow: "]:54321: 535 …"
		if p, after, ok := strings.Cut(rest, ": "); ok && allDigits(p) {
			rest = after
		}
		ev.ClientHost, ev.ClientIP = eximHost(client)
	}
	rest = strings.TrimPrefix(rest, " ")
	if i := strings.Index(rest, "(set_id="); i >= 0 {
		id := rest[i+len("(set_id="):]
		id, _, _ = strings.Cut(id, ")")
		ev.SASLUser = id
		rest = strings.TrimRight(rest[:i], " ")
	}
	ev.Text = auth + ": " + rest
	r.emit(ev)
	return resEvent
}
