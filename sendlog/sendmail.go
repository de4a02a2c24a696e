package sendlog

import (
	"strings"
)

// Sendmail message prefixes (after the queue ID) that are known and carry no event.
var sendmailIgnore = []string{
	"STARTTLS=", "STARTTLS:", "Milter", "milter", "lost input channel", "timeout waiting",
	"collect: ", "SYSERR", "Losing ", "done", "clone ", "ruleset=check_relay", "discarded",
	"low on space", "sender notify:", "postmaster notify:", "return to sender:", "Authentication-Warning:",
	"locked", "AUTH: ", "tls_", "--- ", "<<< ", ">>> ", "SMTP outgoing connect", "did not issue",
	"starting daemon", "rejecting connections", "accepting connections", "alias database", "hash map",
	"runqueue", "grew WorkList", "STARTTLS", "Warning: ", "restarting", "error connecting",
}

// sendmail handles a line of sm-mta / sendmail.
func (r *reader) sendmail(h *sysHeader) result {
	ev := Event{Time: h.t, Host: h.host, Program: h.prog, PID: h.pid}
	msg := h.msg
	if qid, rest, ok := strings.Cut(msg, ": "); ok && isQueueID(qid) {
		ev.QueueID, msg = qid, rest
	}
	switch {
	case strings.HasPrefix(msg, "from="):
		return r.sendmailFrom(&ev, msg)
	case strings.HasPrefix(msg, "to="):
		return r.sendmailTo(&ev, msg)
	case strings.HasPrefix(msg, "AUTH=server, "):
		ev.Kind = Login
		r.sendmailFields(&ev, msg, func(k, v string) {
			switch k {
			case "authid":
				ev.SASLUser = v
			case "mech":
				ev.Text = v
			}
		})
		return resEvent
	case strings.HasPrefix(msg, "AUTH failure ("):
		// "AUTH failure (LOGIN): authentication failure (-13) SASL(-13): …, user=u, relay=h [ip]"
		ev.Kind = AuthFail
		text := msg[len("AUTH failure ("):]
		mech, reason, _ := strings.Cut(text, "): ")
		if i := strings.Index(reason, ", relay="); i >= 0 {
			ev.ClientHost, ev.ClientIP = sendmailRelay(reason[i+len(", relay="):])
			reason = reason[:i]
		}
		if i := strings.LastIndex(reason, ", user="); i >= 0 {
			ev.SASLUser = reason[i+len(", user="):]
			reason = reason[:i]
		}
		ev.Text = mech + ": " + reason
		r.emit(&ev)
		return resEvent
	case strings.HasPrefix(msg, "ruleset=") && strings.Contains(msg, ", reject="):
		ev.Kind = Reject
		i := strings.Index(msg, ", reject=")
		ev.Text = msg[i+len(", reject="):]
		ev.DSN = findDSN(ev.Text)
		ruleset := ""
		r.sendmailFields(&ev, msg[:i], func(k, v string) {
			switch k {
			case "ruleset":
				ruleset = v
			case "arg1":
				if ruleset == "check_rcpt" {
					ev.To = unbracket(v)
				} else if ruleset == "check_mail" {
					ev.From = unbracket(v)
				}
			}
		})
		return resEvent
	}
	if ev.QueueID != "" {
		// "4A2HE7x1001234: 4A2HE7x2001234: DSN: User unknown"
		if nid, rest, ok := strings.Cut(msg, ": "); ok && isQueueID(nid) {
			ev.Kind, ev.BounceID = Bounce, nid
			switch {
			case strings.HasPrefix(rest, "DSN: "):
				ev.Status, ev.Text = "non-delivery", rest[len("DSN: "):]
			case strings.HasPrefix(rest, "return to sender: "):
				ev.Status, ev.Text = "non-delivery", rest[len("return to sender: "):]
			case strings.HasPrefix(rest, "postmaster notify: "):
				ev.Status, ev.Text = "non-delivery", rest[len("postmaster notify: "):]
			case strings.HasPrefix(rest, "sender notify: "), strings.HasPrefix(rest, "Warning: "):
				ev.Status, ev.Text = "delay", rest
			default:
				return resUnknown
			}
			r.emit(&ev)
			return resEvent
		}
	}
	for _, p := range sendmailIgnore {
		if strings.HasPrefix(msg, p) {
			return resIgnored
		}
	}
	return resUnknown
}

// sendmailFields calls fn for each "k=v" of a ", "-separated list (the
// relay= value keeps its " [ip]"), sets the client from relay= and emits ev.
func (r *reader) sendmailFields(ev *Event, s string, fn func(k, v string)) {
	for s != "" {
		var k, v string
		k, v, s = nextField(s)
		if k == "relay" {
			ev.ClientHost, ev.ClientIP = sendmailRelay(v)
			continue
		}
		fn(k, v)
	}
	r.emit(ev)
}

// sendmailRelay splits "name [ip] (may be forged)", "[ip]", "name. [ip]" or
// "user@localhost" into a name (without the trailing dot) and the IP.
func sendmailRelay(v string) (host, ip string) {
	name, rest, _ := strings.Cut(v, " ")
	if strings.HasPrefix(name, "[") {
		name, rest = "", v
	}
	host = strings.TrimSuffix(name, ".")
	if lb := strings.IndexByte(rest, '['); lb >= 0 {
		if rb := strings.IndexByte(rest[lb:], ']'); rb > 0 {
			ip = strings.TrimPrefix(rest[lb+1:lb+rb], "IPv6:")
		}
	}
	return host, ip
}

// sendmailFrom: "from=<a>, size=N, class=0, nrcpts=N, msgid=<id>, proto=ESMTP, daemon=MTA, relay=h [ip]".
func (r *reader) sendmailFrom(ev *Event, msg string) result {
	ev.Kind = Accept
	r.sendmailFields(ev, msg, func(k, v string) {
		switch k {
		case "from":
			ev.From = unbracket(v)
		case "size":
			ev.Size = int64(atoi(v))
		case "nrcpts":
			ev.NRcpt = atoi(v)
		case "msgid":
			ev.MessageID = unbracket(v)
		case "auth": // sendmail 8.16+: "auth=user" on from= lines is rare; AUTH=server lines carry it
			ev.SASLUser = v
		}
	})
	return resEvent
}

// sendmailTo: "to=<a>,<b>, [ctladdr=…, ]delay=…, xdelay=…, mailer=esmtp, pri=…, relay=h. [ip], dsn=5.1.1, stat=User unknown".
// One Deliver event per recipient.
func (r *reader) sendmailTo(ev *Event, msg string) result {
	ev.Kind = Deliver
	fields, stat, _ := strings.Cut(msg, ", stat=")
	ev.Text = stat
	var rcpts string
	for fields != "" {
		var k, v string
		k, v, fields = nextField(fields)
		switch k {
		case "to":
			rcpts = v
		case "relay":
			ev.Relay, ev.RelayIP = sendmailRelay(v)
		case "dsn":
			ev.DSN = v
		case "mailer":
			if ev.Relay == "" && v != "esmtp" && v != "smtp" && v != "relay" {
				ev.Relay = v
			}
		}
	}
	switch {
	case strings.HasPrefix(stat, "Sent"):
		ev.Status = "sent"
	case strings.HasPrefix(stat, "Deferred"), strings.HasPrefix(stat, "queued"), strings.HasPrefix(ev.DSN, "4."):
		ev.Status = "deferred"
	default:
		ev.Status = "bounced"
	}
	if ev.DSN == "" {
		ev.DSN = findDSN(stat)
	}
	for rcpts != "" {
		var to string
		to, rcpts, _ = strings.Cut(rcpts, ",")
		e := *ev
		e.To = unbracket(strings.TrimSpace(to))
		r.emit(&e)
	}
	return resEvent
}
