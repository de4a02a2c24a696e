package scenario

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// fateKind is what becomes of one recipient of a message we send.
type fateKind uint8

const (
	delivered fateKind = iota
	refused            // refused in the SMTP dialogue: our server writes the notice
	later              // accepted, then bounced by the remote system in its own format
	noHost             // the domain does not exist: our server writes the notice
)

// fate is what becomes of one recipient.
type fate struct {
	kind        fateKind
	why         why
	delay       time.Duration // later: how long the remote system takes to bounce
	headersOnly bool          // the notice returns the header only
}

// outMsg is one message submitted to our server by one of our accounts,
// or by whoever holds its password.
type outMsg struct {
	at     time.Time
	acct   *account
	cl     client
	pickup bool // local submission by the web shop
	msg    *message
	rcpts  []string
	fates  []fate
	spam   bool
	// conn says the client kept its connection open for more messages:
	// no connect/disconnect lines (bulk mailers do that).
	conn bool
}

// submit runs one submission through our server.
func (w *world) submit(m *outMsg) {
	if w.hosted != nil {
		w.hostedSubmit(m)
		return
	}
	w.stats.Sent++
	if m.spam {
		w.stats.Spam++
		if w.firstSpam.IsZero() || m.at.Before(w.firstSpam) {
			w.firstSpam = m.at
		}
	}
	if w.exim {
		w.eximSubmit(m)
		return
	}
	w.postfixSubmit(m)
}

// receive runs one message from outside through our server into the
// mailbox of rcpt; raw nil logs it without storing it (ordinary mail,
// which the scenarios do not keep).
func (w *world) receive(at time.Time, peer client, envFrom, rcpt string, raw []byte, mid string) {
	if w.exim {
		w.eximReceive(at, peer, envFrom, rcpt, raw, mid)
		return
	}
	w.postfixReceive(at, peer, envFrom, rcpt, raw, mid)
}

func (w *world) mailboxOf(addr string) string {
	if to, ok := w.aliases[addr]; ok {
		return to
	}
	return addr
}

// dkimSignature is the field OpenDKIM (or Exim) adds to our outgoing mail.
func (w *world) dkimSignature(t time.Time) string {
	return fmt.Sprintf("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=%s;\n\ts=default; t=%d;\n\tbh=%s=;\n\th=Date:From:To:Subject:From;\n\tb=%s", Domain, t.Unix(), w.alnum(43), w.alnum(340))
}

func hostIP(c client) string { return c.host + "[" + c.ip + "]" }

// rcvdFrom is the "from" clause Postfix writes: HELO, then reverse name
// and address in a comment.
func rcvdFrom(c client) string {
	return fmt.Sprintf("%s (%s [%s])", c.helo, c.host, c.ip)
}

// tls is the protocol part Postfix logs for a TLS session.
const tlsLog = "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256"

func (w *world) postfixSubmit(m *outMsg) {
	t := m.at
	qid := w.postfixQID(t)
	msg := m.msg
	if msg.mid == "" {
		msg.mid = t.In(w.loc).Format("20060102150405") + "." + qid + "@" + MailFQDN
		msg.midAdded = true
	}
	forClause := ""
	if len(m.rcpts) == 1 {
		forClause = "\n\tfor <" + m.rcpts[0] + ">"
	}
	if m.pickup {
		msg.addTrace(fmt.Sprintf("Received: by %s (Postfix, from userid 33)\n\tid %s; %s", MailFQDN, qid, postfixDate(t, w.loc)))
	} else {
		msg.addTrace(fmt.Sprintf("Received: from %s\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\n\t(No client certificate requested)\n\tby %s (Postfix) with ESMTPSA id %s%s;\n\t%s",
			rcvdFrom(m.cl), MailFQDN, qid, forClause, postfixDate(t, w.loc)))
	}
	msg.addTrace(w.dkimSignature(t))
	size := len(msg.bytes())
	sub := "postfix/submission/smtpd"
	spid := 0
	if m.pickup {
		w.log.add(t, "postfix/pickup", poolPID(1180, t, 1), qid+": uid=33 from=<"+m.acct.addr+">")
	} else {
		if m.conn {
			spid = w.session(m.cl, t, len(m.rcpts))
		} else {
			spid = w.pid()
			w.log.add(t.Add(-400*time.Millisecond), sub, spid, "connect from "+hostIP(m.cl))
			w.log.add(t.Add(-300*time.Millisecond), sub, spid, "Anonymous TLS connection established from "+hostIP(m.cl)+": "+tlsLog)
		}
		w.log.add(t, sub, spid, qid+": client="+hostIP(m.cl)+", sasl_method=PLAIN, sasl_username="+m.acct.addr)
	}
	ct := t.Add(w.secs(0.01, 0.2))
	w.log.add(ct, "postfix/cleanup", poolPID(1300, ct, 3), qid+": message-id=<"+msg.mid+">")
	w.log.addRaw(ct.Add(time.Millisecond), MailHost+" opendkim["+fmt.Sprint(poolPID(900, ct, 1))+"]: "+qid+": DKIM-Signature field added (s=default, d="+Domain+")")
	qt := ct.Add(w.secs(0.001, 0.05))
	w.log.add(qt, "postfix/qmgr", 1187, fmt.Sprintf("%s: from=<%s>, size=%d, nrcpt=%d (queue active)", qid, m.acct.addr, size, len(m.rcpts)))
	if !m.pickup && !m.conn {
		w.log.add(qt.Add(w.secs(0.01, 0.1)), sub, spid, fmt.Sprintf("disconnect from %s ehlo=2 starttls=1 auth=1 mail=1 rcpt=%d data=1 quit=1 commands=%d", hostIP(m.cl), len(m.rcpts), 7+len(m.rcpts)))
	}
	var fails []failure
	last := qt
	for i, rcpt := range m.rcpts {
		f := m.fates[i]
		r := w.remoteOf(rcpt)
		dt := qt.Add(w.secs(0.2, 3))
		last = maxTime(last, dt)
		a, bq, c, d := 0.01+w.rng.Float64()*0.1, 0.01, 0.05+w.rng.Float64()*0.5, 0.05+w.rng.Float64()*0.8
		delay := "delay=" + pfDelay(dt.Sub(t).Seconds()) + ", delays=" + pfDelay(a) + "/" + pfDelay(bq) + "/" + pfDelay(c) + "/" + pfDelay(d)
		spp := poolPID(4100, dt, 4)
		switch f.kind {
		case refused:
			status, reply, cmd := w.refusal(r, rcpt, f.why)
			w.log.add(dt, "postfix/smtp", spp, fmt.Sprintf("%s: to=<%s>, relay=%s[%s]:25, %s, dsn=%s, status=bounced (host %s[%s] said: %s (in reply to %s command))",
				qid, rcpt, r.mx, r.ip, delay, status, r.mx, r.ip, reply, cmd))
			fails = append(fails, failure{rcpt: rcpt, status: status, diag: reply, mx: r.mx, mxIP: r.ip, command: cmd})
		case noHost:
			text := "Host or domain name not found. Name service error for name=" + r.domain + " type=MX: Host not found"
			w.log.add(dt, "postfix/smtp", spp, fmt.Sprintf("%s: to=<%s>, relay=none, %s, dsn=5.4.4, status=bounced (%s)", qid, rcpt, delay, text))
			fails = append(fails, failure{rcpt: rcpt, status: "5.4.4", diag: text})
		default:
			w.log.add(dt.Add(-time.Duration(c*float64(time.Second))), "postfix/smtp", spp, "Trusted TLS connection established to "+r.mx+"["+r.ip+"]:25: "+tlsLog)
			w.log.add(dt, "postfix/smtp", spp, fmt.Sprintf("%s: to=<%s>, relay=%s[%s]:25, %s, dsn=2.0.0, status=sent (%s)", qid, rcpt, r.mx, r.ip, delay, w.acceptReply(r)))
			if f.kind == later {
				w.remoteBounce(m.msg, m.acct.addr, rcpt, f, dt, client{host: MailFQDN, ip: MailIP, helo: MailFQDN}, true)
			}
		}
	}
	done := last.Add(w.secs(0.001, 0.02))
	if len(fails) == 0 {
		w.log.add(done, "postfix/qmgr", 1187, qid+": removed")
		return
	}
	// Our bounce(8) writes the notice and local(8) delivers it.
	bqid := w.postfixQID(done)
	n := &notice{kind: mtaPostfix, at: done, reporter: MailFQDN, zone: w.loc, to: m.acct.addr, fails: fails,
		orig: msg, arrival: t, qid: qid, bqid: bqid, headersOnly: size > 10<<20}
	raw := w.write(n)
	bmid := done.In(w.loc).Format("20060102150405") + "." + bqid + "@" + MailFQDN
	w.log.add(done, "postfix/cleanup", poolPID(1300, done, 3), bqid+": message-id=<"+bmid+">")
	w.log.add(done.Add(time.Millisecond), "postfix/qmgr", 1187, fmt.Sprintf("%s: from=<>, size=%d, nrcpt=1 (queue active)", bqid, len(raw)))
	w.log.add(done.Add(2*time.Millisecond), "postfix/bounce", poolPID(1400, done, 2), qid+": sender non-delivery notification: "+bqid)
	w.log.add(done.Add(3*time.Millisecond), "postfix/qmgr", 1187, qid+": removed")
	w.stats.BouncesOurs++
	w.deliverLocal(done.Add(10*time.Millisecond), bqid, "", m.acct.addr, raw, true)
}

// deliverLocal hands a queued message to the mailbox of rcpt (Postfix
// local(8) or Dovecot LMTP) and stores it when store is set.
func (w *world) deliverLocal(t time.Time, qid, envFrom, rcpt string, raw []byte, store bool) {
	box := w.mailboxOf(rcpt)
	orig := ""
	if box != rcpt {
		orig = ", orig_to=<" + rcpt + ">"
	}
	if w.lmtp {
		w.log.add(t, "postfix/lmtp", poolPID(5200, t, 2), fmt.Sprintf("%s: to=<%s>%s, relay=%s[private/dovecot-lmtp], delay=0.08, delays=0.04/0.01/0.01/0.02, dsn=2.0.0, status=sent (250 2.0.0 <%s> %s Saved)",
			qid, box, orig, MailFQDN, box, w.alnum(22)))
	} else {
		w.log.add(t, "postfix/local", poolPID(5200, t, 2), fmt.Sprintf("%s: to=<%s>%s, relay=local, delay=0.06, delays=0.04/0.01/0/0.01, dsn=2.0.0, status=sent (delivered to maildir)", qid, box, orig))
	}
	w.log.add(t.Add(time.Millisecond), "postfix/qmgr", 1187, qid+": removed")
	if !store || raw == nil {
		return
	}
	head := fmt.Sprintf("Return-Path: <%s>\nX-Original-To: %s\nDelivered-To: %s\n", envFrom, rcpt, box)
	w.store(t, envFrom, append([]byte(head), raw...))
}

func (w *world) store(t time.Time, envFrom string, raw []byte) {
	if err := w.box.add(t, envFrom, raw); err != nil && w.err == nil {
		w.err = err
	}
}

func (w *world) postfixReceive(at time.Time, peer client, envFrom, rcpt string, raw []byte, mid string) {
	qid := w.postfixQID(at)
	pid := w.pid()
	w.log.add(at, "postfix/smtpd", pid, "connect from "+hostIP(peer))
	w.log.add(at.Add(150*time.Millisecond), "postfix/smtpd", pid, "Untrusted TLS connection established from "+hostIP(peer)+": "+tlsLog)
	w.log.add(at.Add(300*time.Millisecond), "postfix/smtpd", pid, qid+": client="+hostIP(peer))
	if mid != "" {
		w.log.add(at.Add(350*time.Millisecond), "postfix/cleanup", poolPID(1300, at, 3), qid+": message-id=<"+mid+">")
	}
	size := len(raw)
	if raw == nil {
		size = 2000 + w.rng.IntN(30000)
	}
	w.log.add(at.Add(360*time.Millisecond), "postfix/qmgr", 1187, fmt.Sprintf("%s: from=<%s>, size=%d, nrcpt=1 (queue active)", qid, envFrom, size))
	w.log.add(at.Add(400*time.Millisecond), "postfix/smtpd", pid, "disconnect from "+hostIP(peer)+" ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7")
	if raw != nil {
		rcvd := fmt.Sprintf("Received: from %s\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\n\t(No client certificate requested)\n\tby %s (Postfix) with ESMTPS id %s\n\tfor <%s>; %s\n",
			rcvdFrom(peer), MailFQDN, qid, rcpt, postfixDate(at, w.loc))
		raw = append([]byte(rcvd), raw...)
	}
	w.deliverLocal(at.Add(500*time.Millisecond), qid, envFrom, rcpt, raw, raw != nil)
}

// --- Exim ---

func eximHost(c client) string {
	if c.host != "unknown" && c.host != "" {
		return c.host + " (" + c.helo + ") [" + c.ip + "]"
	}
	return "(" + c.helo + ") [" + c.ip + "]"
}

func (w *world) eximSubmit(m *outMsg) {
	t := m.at
	id := w.eximID(t)
	msg := m.msg
	if msg.mid == "" {
		msg.mid = "E" + id + "@" + MailFQDN
		msg.midAdded = true
	}
	forClause := ""
	if len(m.rcpts) == 1 {
		forClause = "\n\tfor " + m.rcpts[0]
	}
	from := "[" + m.cl.ip + "]"
	if m.cl.host != "unknown" {
		from = m.cl.host + " ([" + m.cl.ip + "])"
	}
	msg.addTrace(fmt.Sprintf("Received: from %s (helo=%s)\n\tby %s with esmtpsa  (TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(envelope-from <%s>)\n\tid %s%s;\n\t%s",
		from, m.cl.helo, MailFQDN, m.acct.addr, id, forClause, t.In(w.loc).Format("Mon, 02 Jan 2006 15:04:05 -0700")))
	msg.addTrace(w.dkimSignature(t))
	size := len(msg.bytes())
	port := 40000 + w.rng.IntN(20000)
	if !m.conn {
		w.log.addRaw(t.Add(-time.Second), fmt.Sprintf("SMTP connection from %s:%d I=[%s]:587 (TCP/IP connection count = 1)", eximHost(m.cl), port, MailIP))
	}
	w.log.addRaw(t, fmt.Sprintf("%s <= %s H=%s:%d I=[%s]:587 P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no A=dovecot_plain:%s S=%d id=%s T=\"%s\" for %s",
		id, m.acct.addr, eximHost(m.cl), port, MailIP, m.acct.addr, size, msg.mid, encodeWord(msg.subject), strings.Join(m.rcpts, " ")))
	var fails []failure
	last := t
	for i, rcpt := range m.rcpts {
		f := m.fates[i]
		r := w.remoteOf(rcpt)
		dt := t.Add(w.secs(0.3, 3))
		last = maxTime(last, dt)
		switch f.kind {
		case refused:
			status, reply, cmd := w.refusal(r, rcpt, f.why)
			after := "RCPT TO:<" + rcpt + ">"
			if cmd != "RCPT TO" {
				after = "end of data"
			}
			w.log.addRaw(dt, fmt.Sprintf("%s ** %s R=dnslookup T=remote_smtp H=%s [%s]: SMTP error from remote mail server after %s: %s", id, rcpt, r.mx, r.ip, after, reply))
			fails = append(fails, failure{rcpt: rcpt, status: status, diag: reply, mx: r.mx, mxIP: r.ip, command: strings.TrimSuffix(after, ":<"+rcpt+">")})
		case noHost:
			w.log.addRaw(dt, fmt.Sprintf("%s ** %s: Unrouteable address", id, rcpt))
			fails = append(fails, failure{rcpt: rcpt, status: "5.4.4", diag: "Unrouteable address"})
		default:
			w.log.addRaw(dt, fmt.Sprintf("%s => %s R=dnslookup T=remote_smtp H=%s [%s] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C=\"%s\" QT=%ds DT=%ds",
				id, rcpt, r.mx, r.ip, w.acceptReply(r), int(dt.Sub(t).Seconds())+1, 1))
			if f.kind == later {
				w.remoteBounce(m.msg, m.acct.addr, rcpt, f, dt, client{host: MailFQDN, ip: MailIP, helo: MailFQDN}, true)
			}
		}
	}
	done := last.Add(w.secs(0.01, 0.3))
	if len(fails) > 0 {
		bid := w.eximID(done)
		n := &notice{kind: mtaExim, at: done, reporter: MailFQDN, zone: w.loc, to: m.acct.addr, fails: fails,
			orig: msg, arrival: t, qid: id, bqid: bid}
		raw := w.write(n)
		w.log.addRaw(done, fmt.Sprintf("%s <= <> R=%s U=Debian-exim P=local S=%d T=\"Mail delivery failed: returning message to sender\" for %s", bid, id, len(raw), m.acct.addr))
		box := w.mailboxOf(m.acct.addr)
		w.log.addRaw(done.Add(10*time.Millisecond), fmt.Sprintf("%s => %s <%s> R=local_user T=maildir_home", bid, box[:strings.IndexByte(box, '@')], m.acct.addr))
		w.log.addRaw(done.Add(11*time.Millisecond), bid+" Completed")
		head := fmt.Sprintf("Return-path: <>\nEnvelope-to: %s\nDelivery-date: %s\n", m.acct.addr, done.In(w.loc).Format("Mon, 02 Jan 2006 15:04:05 -0700"))
		w.stats.BouncesOurs++
		w.store(done, "", append([]byte(head), raw...))
	}
	w.log.addRaw(done.Add(20*time.Millisecond), id+" Completed")
}

func (w *world) eximReceive(at time.Time, peer client, envFrom, rcpt string, raw []byte, mid string) {
	id := w.eximID(at)
	size := len(raw)
	if raw == nil {
		size = 2000 + w.rng.IntN(30000)
	}
	sender := envFrom
	if sender == "" {
		sender = "<>"
	}
	midField := ""
	if mid != "" {
		midField = " id=" + mid
	}
	port := 30000 + w.rng.IntN(30000)
	w.log.addRaw(at, fmt.Sprintf("%s <= %s H=%s:%d I=[%s]:25 P=esmtps X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no S=%d%s for %s", id, sender, eximHost(peer), port, MailIP, size, midField, rcpt))
	box := w.mailboxOf(rcpt)
	w.log.addRaw(at.Add(20*time.Millisecond), fmt.Sprintf("%s => %s <%s> R=local_user T=maildir_home", id, box[:strings.IndexByte(box, '@')], rcpt))
	w.log.addRaw(at.Add(21*time.Millisecond), id+" Completed")
	if raw == nil {
		return
	}
	date := at.In(w.loc).Format("Mon, 02 Jan 2006 15:04:05 -0700")
	head := fmt.Sprintf("Return-path: <%s>\nEnvelope-to: %s\nDelivery-date: %s\nReceived: from %s ([%s])\n\tby %s with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(envelope-from <%s>)\n\tid %s\n\tfor %s;\n\t%s\n",
		envFrom, rcpt, date, peer.host, peer.ip, MailFQDN, envFrom, id, rcpt, date)
	w.store(at.Add(20*time.Millisecond), envFrom, append([]byte(head), raw...))
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// pfDelay writes a delay as Postfix does: two decimals under a second,
// one under ten, none above; trailing zeros dropped.
func pfDelay(x float64) string {
	var s string
	switch {
	case x < 0.005:
		return "0"
	case x < 1:
		s = strconv.FormatFloat(x, 'f', 2, 64)
	case x < 10:
		s = strconv.FormatFloat(x, 'f', 1, 64)
	default:
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// session is an SMTP connection a bulk mailer keeps open to send one
// message after the other.
type session struct {
	cl         client
	pid        int
	msgs, rcpt int
	limit      int
	last       time.Time
}

// sessionIdle is how long an open connection waits for the next message
// before the client drops it (Postfix's smtpd_timeout is 300 s; bulk
// mailers close sooner).
const sessionIdle = 90 * time.Second

// session returns the smtpd process of cl's open connection at t, opening
// one (and closing the old one when it has sent its share) as needed.
func (w *world) session(cl client, t time.Time, rcpts int) int {
	s := w.sessions[cl.ip]
	if s != nil && s.msgs >= s.limit {
		w.endSession(s)
		s = nil
	}
	if s == nil {
		s = &session{cl: cl, pid: w.pid(), limit: 10 + w.rng.IntN(90)}
		w.sessions[cl.ip] = s
		sub := "postfix/submission/smtpd"
		w.log.add(t.Add(-400*time.Millisecond), sub, s.pid, "connect from "+hostIP(cl))
		w.log.add(t.Add(-300*time.Millisecond), sub, s.pid, "Anonymous TLS connection established from "+hostIP(cl)+": "+tlsLog)
	}
	s.msgs++
	s.rcpt += rcpts
	s.last = t
	return s.pid
}

func (w *world) endSession(s *session) {
	delete(w.sessions, s.cl.ip)
	w.log.add(s.last.Add(300*time.Millisecond), "postfix/submission/smtpd", s.pid,
		fmt.Sprintf("disconnect from %s ehlo=2 starttls=1 auth=1 mail=%d rcpt=%d data=%d quit=1 commands=%d", hostIP(s.cl), s.msgs, s.rcpt, s.msgs, 5+2*s.msgs+s.rcpt))
}

// expireSessions closes the connections idle since before t.
func (w *world) expireSessions(t time.Time) {
	var old []*session
	for _, s := range w.sessions {
		if s.last.Before(t) {
			old = append(old, s)
		}
	}
	// In a fixed order: the map's is random.
	sort.Slice(old, func(i, j int) bool { return old[i].pid < old[j].pid })
	for _, s := range old {
		w.endSession(s)
	}
}
