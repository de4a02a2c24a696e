package sendlog

import (
	"strings"
)

// Postfix daemons whose lines carry nothing about messages or logins.
var postfixQuiet = map[string]bool{
	"anvil": true, "postscreen": true, "dnsblog": true, "tlsmgr": true, "master": true,
	"postfix-script": true, "scache": true, "tlsproxy": true, "verify": true, "proxymap": true,
	"postlogd": true, "postdrop": true, "postqueue": true, "postmap": true, "trivial-rewrite": true,
	"flush": true, "showq": true, "postmulti": true, "postconf": true, "spawn": true,
}

// Message prefixes (after an optional queue ID) of known lines that are not
// events.
var postfixIgnore = []string{
	"connect from ", "disconnect from ", "lost connection ", "timeout after ", "too many errors ",
	"improper command pipelining", "warning: ", "fatal: ", "panic: ", "error: ", "statistics: ",
	"Anonymous TLS", "Trusted TLS", "Untrusted TLS", "Verified TLS", "SSL_accept", "SSL_connect",
	"setting up TLS", "host ", "conversation with ", "enabling PIX", "hold: ", "discard: ",
	"redirect: ", "filter: ", "info: ", "replace: ", "prepend: ", "warn: ", "connect to ",
	"Cannot start TLS", "resent-message-id=", "skipped, ", "cancelled", "sender delay notification",
	"lost connection", "timeout after", "reject_warning: ", "NOQUEUE: filter: ", "NOQUEUE: hold: ",
	"NOQUEUE: discard: ", "NOQUEUE: warn: ", "NOQUEUE: info: ", "NOQUEUE: reject_warning: ",
	"daemon started", "reload ", "terminating on signal", "Postfix is ", "See http", "using backwards-compatible",
	"Deleted: ", "Requeued: ", "Placed on hold: ", "Released from hold: ", "starting the Postfix", "stopping the Postfix",
	"refreshing the Postfix", "the Postfix mail system", "message-id=", // an empty Message-ID
}

// postfix handles a line of a Postfix daemon.
func (r *reader) postfix(h *sysHeader) result {
	daemon := h.prog
	if i := strings.LastIndexByte(daemon, '/'); i >= 0 {
		daemon = daemon[i+1:]
	}
	if postfixQuiet[daemon] {
		return resIgnored
	}
	ev := Event{Time: h.t, Host: h.host, Program: h.prog, PID: h.pid}
	msg := h.msg
	if qid, rest, ok := strings.Cut(msg, ": "); ok && isQueueID(qid) {
		ev.QueueID, msg = qid, rest
		switch {
		case strings.HasPrefix(msg, "to=<"):
			return r.postfixDeliver(&ev, msg)
		case strings.HasPrefix(msg, "client="):
			return r.postfixClient(&ev, msg)
		case strings.HasPrefix(msg, "from=<"):
			return r.postfixFrom(&ev, msg)
		case strings.HasPrefix(msg, "message-id=") && len(msg) > len("message-id="):
			ev.Kind = MsgID
			ev.MessageID = unbracket(msg[len("message-id="):])
			r.emit(&ev)
			return resEvent
		case msg == "removed":
			ev.Kind = Done
			r.emit(&ev)
			return resEvent
		case strings.HasPrefix(msg, "uid="): // pickup: "uid=33 from=<shop@example.jp>"
			uid, from, _ := strings.Cut(msg, " ")
			ev.Kind, ev.Text, ev.ClientHost = Client, uid, "localhost"
			if v, ok := strings.CutPrefix(from, "from="); ok {
				ev.From = unbracket(v)
			}
			r.emit(&ev)
			return resEvent
		case strings.HasPrefix(msg, "reject: ") || strings.HasPrefix(msg, "milter-reject: "):
			return r.postfixReject(&ev, msg)
		}
		if i := strings.Index(msg, " notification: "); i > 0 {
			what := msg[:i]
			ev.Kind, ev.Text, ev.BounceID = Bounce, what, msg[i+len(" notification: "):]
			switch {
			case strings.HasSuffix(what, "non-delivery"):
				ev.Status = "non-delivery"
			case strings.HasSuffix(what, "delay"):
				ev.Status = "delay"
			case strings.HasSuffix(what, "delivery status"):
				ev.Status = "success"
			default:
				return resUnknown
			}
			r.emit(&ev)
			return resEvent
		}
		if postfixKnown(msg) {
			return resIgnored
		}
		return resUnknown
	}
	switch {
	case strings.HasPrefix(msg, "NOQUEUE: reject: ") || strings.HasPrefix(msg, "NOQUEUE: milter-reject: "):
		return r.postfixReject(&ev, msg[len("NOQUEUE: "):])
	case strings.HasPrefix(msg, "warning: ") && strings.Contains(msg, " authentication failed"):
		return r.postfixAuthFail(&ev, msg[len("warning: "):])
	}
	if postfixKnown(msg) {
		return resIgnored
	}
	return resUnknown
}

func postfixKnown(msg string) bool {
	for _, p := range postfixIgnore {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// isQueueID tells a Postfix (short hex or long base-52) or Sendmail queue ID
// from a word such as "warning" or "NOQUEUE".
func isQueueID(s string) bool {
	if len(s) < 5 || len(s) > 24 {
		return false
	}
	digit, hex := false, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			digit = true
		case c >= 'A' && c <= 'F':
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			hex = false
		default:
			return false
		}
	}
	return digit || hex
}

// nextField cuts the first "key=value" of a ", "-separated list; a value in
// angle brackets runs to its closing '>' even if it holds ", ".
func nextField(s string) (key, val, rest string) {
	eq := strings.IndexByte(s, '=')
	if eq < 0 {
		return "", s, ""
	}
	key, s = s[:eq], s[eq+1:]
	start := 0
	if len(s) > 0 && s[0] == '<' {
		if gt := strings.Index(s, ">, "); gt >= 0 {
			start = gt
		} else if s[len(s)-1] == '>' {
			return key, s, ""
		}
	}
	if i := strings.Index(s[start:], ", "); i >= 0 {
		return key, s[:start+i], s[start+i+2:]
	}
	return key, s, ""
}

// unbracket strips one pair of angle brackets.
func unbracket(s string) string {
	if len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>' {
		return s[1 : len(s)-1]
	}
	return s
}

// hostIP splits "name[ip]" or "name[ip]:port" (Postfix) into name and ip.
func hostIP(s string) (host, ip string) {
	lb := strings.IndexByte(s, '[')
	if lb < 0 {
		return s, ""
	}
	rb := strings.LastIndexByte(s, ']')
	if rb < lb {
		return s[:lb], ""
	}
	return s[:lb], s[lb+1 : rb]
}

// postfixDeliver: "to=<a>, orig_to=<b>, relay=h[ip]:25, delay=…, dsn=5.1.1, status=bounced (text)".
func (r *reader) postfixDeliver(ev *Event, msg string) result {
	i := strings.Index(msg, "status=")
	if i < 0 {
		return resUnknown
	}
	fields, st := msg[:i], msg[i+len("status="):]
	ev.Kind = Deliver
	ev.Status, ev.Text, _ = strings.Cut(st, " ")
	if len(ev.Text) >= 2 && ev.Text[0] == '(' && ev.Text[len(ev.Text)-1] == ')' {
		ev.Text = ev.Text[1 : len(ev.Text)-1]
	}
	for fields != "" {
		var k, v string
		k, v, fields = nextField(fields)
		switch k {
		case "to":
			ev.To = unbracket(v)
		case "orig_to":
			ev.OrigTo = unbracket(v)
		case "relay":
			ev.Relay, ev.RelayIP = hostIP(v)
		case "dsn":
			ev.DSN = v
		}
	}
	r.emit(ev)
	return resEvent
}

// postfixClient: "client=pc01[198.51.100.7], sasl_method=PLAIN, sasl_username=shop@example.jp".
func (r *reader) postfixClient(ev *Event, msg string) result {
	ev.Kind = Client
	for msg != "" {
		var k, v string
		k, v, msg = nextField(msg)
		switch k {
		case "client":
			ev.ClientHost, ev.ClientIP = hostIP(v)
		case "sasl_method":
			ev.Text = v
		case "sasl_username":
			ev.SASLUser = v
			ev.Kind = Login
		}
	}
	r.emit(ev)
	return resEvent
}

// postfixFrom: qmgr "from=<a>, size=N, nrcpt=N (queue active)" or
// "from=<a>, status=expired, returned to sender".
func (r *reader) postfixFrom(ev *Event, msg string) result {
	ev.Kind = Accept
	for msg != "" {
		var k, v string
		k, v, msg = nextField(msg)
		switch k {
		case "from":
			ev.From = unbracket(v)
		case "size":
			ev.Size = int64(atoi(v))
		case "nrcpt":
			ev.NRcpt = atoi(v)
		case "status":
			ev.Kind = Deliver
			ev.Status, ev.Text, _ = strings.Cut(v, " ")
			if msg != "" {
				ev.Text, msg = msg, ""
			}
		}
	}
	r.emit(ev)
	return resEvent
}

// postfixReject: "reject: RCPT from h[ip]: 554 5.7.1 <x>: Relay access denied; from=<a> to=<b> proto=ESMTP helo=<h>"
// and the cleanup form "reject: header Subject: … from h[ip]; from=<a> to=<b> proto=ESMTP helo=<h>: 5.7.1 text".
func (r *reader) postfixReject(ev *Event, msg string) result {
	ev.Kind = Reject
	_, msg, _ = strings.Cut(msg, ": ")
	text, env := msg, ""
	if i := strings.LastIndex(msg, "; from=<"); i >= 0 {
		text, env = msg[:i], msg[i+2:]
	}
	// The client: " from h[ip]", then ": reply" (smtpd) or nothing (cleanup).
	for _, i := range [2]int{strings.Index(text, " from "), strings.LastIndex(text, " from ")} {
		if i < 0 {
			continue
		}
		c, reply, hasReply := strings.Cut(text[i+len(" from "):], ": ")
		if strings.IndexByte(c, '[') > 0 && strings.IndexByte(c, ' ') < 0 && (strings.HasSuffix(c, "]") || strings.Contains(c, "]:")) {
			ev.ClientHost, ev.ClientIP = hostIP(c)
			if hasReply {
				text = reply
			}
			break
		}
	}
	// Envelope: space-separated key=<value> pairs; a cleanup reject appends ": reply".
	for env != "" {
		eq := strings.IndexByte(env, '=')
		if eq < 0 {
			break
		}
		k, v := env[:eq], env[eq+1:]
		var end int
		if strings.HasPrefix(v, "<") {
			end = strings.IndexByte(v, '>') + 1
			if end == 0 {
				end = len(v)
			}
		} else {
			end = strings.IndexAny(v, " :")
			if end < 0 {
				end = len(v)
			}
		}
		val := v[:end]
		env = v[end:]
		switch k {
		case "from":
			ev.From = unbracket(val)
		case "to":
			ev.To = unbracket(val)
		}
		if strings.HasPrefix(env, ": ") {
			text = env[2:] + " (" + text + ")"
			break
		}
		env = strings.TrimPrefix(env, " ")
	}
	ev.Text = text
	ev.DSN = findDSN(text)
	r.emit(ev)
	return resEvent
}

// postfixAuthFail: "unknown[203.0.113.5]: SASL LOGIN authentication failed: reason[, sasl_username=u]".
func (r *reader) postfixAuthFail(ev *Event, msg string) result {
	client, rest, ok := strings.Cut(msg, ": ")
	if !ok || !strings.HasPrefix(rest, "SASL ") {
		return resIgnored
	}
	ev.Kind = AuthFail
	ev.ClientHost, ev.ClientIP = hostIP(client)
	rest = rest[len("SASL "):]
	if i := strings.LastIndex(rest, ", sasl_username="); i >= 0 {
		ev.SASLUser = rest[i+len(", sasl_username="):]
		rest = rest[:i]
	}
	mech, reason, _ := strings.Cut(rest, " authentication failed")
	reason = strings.TrimPrefix(reason, ": ")
	ev.Text = mech + ": " + reason
	r.emit(ev)
	return resEvent
}

// findDSN returns the first enhanced status code (class.subject.detail,
// class 2, 4 or 5) in s, or "".
func findDSN(s string) string {
	for i := 0; i+5 <= len(s); i++ {
		c := s[i]
		if (c != '2' && c != '4' && c != '5') || s[i+1] != '.' || (i > 0 && (isDigit(s[i-1]) || s[i-1] == '.')) {
			continue
		}
		j := i + 2
		n := 0
		for j < len(s) && isDigit(s[j]) && n < 3 {
			j, n = j+1, n+1
		}
		if n == 0 || j >= len(s) || s[j] != '.' {
			continue
		}
		j++
		n = 0
		for j < len(s) && isDigit(s[j]) && n < 3 {
			j, n = j+1, n+1
		}
		if n == 0 || (j < len(s) && (isDigit(s[j]) || s[j] == '.' && j+1 < len(s) && isDigit(s[j+1]))) {
			continue
		}
		return s[i:j]
	}
	return ""
}
