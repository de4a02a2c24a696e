package bounce

import (
	"regexp"
	"strings"
)

// Providers whose bounces are written by Exim or in Exim's words: GMX and
// 1&1/IONOS ("--- The header of the original message is following. ---")
// and Mail.Ru (a Russian preface before Exim's own text).

const (
	gmxOriginalMarker  = "--- The header of the original message is following. ---"
	eximCreatedMarker  = "This message was created automatically by mail delivery software."
	eximCopyMarker     = "------ This is a copy of the message"
	eximHeadersMarker  = "------ This is a copy of the message's headers."
	mailruPrefaceRU    = "сервером Mail.Ru"
	mailruRecommendsRU = "Рекомендуем Вам проверить корректность"
)

// scanGMX reads the bounces of GMX, mail.com, WEB.DE and 1&1/IONOS.
func scanGMX(m *flat) *scan {
	if !providerFromDaemon(m) {
		return nil
	}
	if indexFoldASCII(m.hget("Subject"), "mail delivery failed") != 0 {
		return nil
	}
	i := strings.Index(m.Body, gmxOriginalMarker)
	if i < 0 {
		return nil
	}
	text := m.Body[:i]
	orig := strings.TrimLeft(m.Body[i+len(gmxOriginalMarker):], "\n")
	recs := eximRecords(text)
	if len(recs) == 0 {
		return nil
	}
	sc := &scan{
		records:  recs,
		evidence: []string{"From: MAILER-DAEMON, Subject 'Mail delivery failed' and GMX/1&1 marker '" + gmxOriginalMarker + "'"},
	}
	if m.Original == nil && orig != "" {
		sc.original = []byte(orig)
	}
	return sc
}

// scanMailRu reads the bounces of Mail.Ru: a Russian preface, then Exim's
// English text and the returned message.
func scanMailRu(m *flat) *scan {
	if !providerFromDaemon(m) {
		return nil
	}
	if !providerHeaderHas(m, "From", "mail.ru") && !strings.Contains(m.hget("Subject"), "Mail failure.") {
		return nil
	}
	if !strings.Contains(m.Body, mailruPrefaceRU) && !strings.Contains(m.Body, mailruRecommendsRU) {
		return nil
	}
	text := m.Body
	if p := proseText(m); len(m.Parts) > 1 && strings.Contains(p, eximCreatedMarker) {
		// A multipart/report (RFC 6522): the report is the text part
		// alone; the raw body would run the last diagnostic on into the
		// delivery-status part and the returned headers.
		text = p
	}
	_, after, ok := cutAt(text, eximCreatedMarker)
	if ok {
		text = after // the English copy of the report
	}
	var orig string
	if i := strings.Index(text, eximCopyMarker); i >= 0 {
		orig = text[i:]
		text = text[:i]
		if nl := strings.IndexByte(orig, '\n'); nl >= 0 {
			orig = strings.TrimLeft(orig[nl+1:], "\n")
		} else {
			orig = ""
		}
	}
	recs := eximRecords(text)
	if len(recs) == 0 {
		return nil
	}
	sc := &scan{
		records:  recs,
		evidence: []string{"From: MAILER-DAEMON and the Mail.Ru preface '" + mailruPrefaceRU + "'"},
	}
	if m.Original == nil && orig != "" {
		sc.original = []byte(orig)
	}
	return sc
}

var reEximHost = regexp.MustCompile(`(?i)\bhost:?\s+([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\b`)

// eximRecords reads the recipient blocks of Exim's failure text: after
// "The following address(es) failed:", a line that holds only an address
// ("addr", "<addr>", "\"addr\":", "addr:"), then the lines that say why.
func eximRecords(text string) []Record {
	_, rest, ok := cutAt(text, "following address(es) failed:", "following address failed:",
		"following addresses failed:", "following address(es)\nfailed:", "following address\nfailed:")
	if !ok {
		// The phrase wraps differently from server to server.
		if i := strings.Index(text, "failed:"); i >= 0 && strings.Contains(text[:i], "following address") {
			rest = text[i+len("failed:"):]
		} else {
			return nil
		}
	}
	var recs []Record
	var diag []string
	flush := func() {
		if len(recs) == 0 {
			return
		}
		r := &recs[len(recs)-1]
		r.DiagnosticCode = strings.Join(strings.Fields(strings.Join(diag, " ")), " ")
		diag = diag[:0]
	}
	for _, line := range strings.Split(rest, "\n") {
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, "------ ") || strings.HasPrefix(t, "--- ") {
			break
		}
		if a := loneAddress(t); a != "" {
			flush()
			recs = append(recs, Record{Recipient: a, Action: "failed"})
			continue
		}
		if len(recs) == 0 {
			continue
		}
		switch strings.ToLower(strings.TrimSuffix(t, ":")) {
		case "reason", "for the following reason":
			continue
		}
		if len(diag) < 16 {
			diag = append(diag, t)
		}
	}
	flush()
	for i := range recs {
		r := &recs[i]
		d := r.DiagnosticCode
		r.Command = eximCommand(d)
		if h := reEximHost.FindStringSubmatch(d); h != nil {
			r.RemoteMTA = strings.ToLower(h[1])
		}
		if strings.Contains(d, "SMTP error") || strings.Contains(d, "host ") || strings.Contains(d, "host:") {
			r.DiagnosticType = "SMTP"
		}
		// Keep the remote server's reply when Exim says where it starts.
		if j := strings.Index(d, " reason: "); j >= 0 {
			r.DiagnosticCode = strings.TrimSpace(d[j+len(" reason: "):])
		}
	}
	return recs
}

// eximCommand returns the SMTP command of "SMTP error from remote server
// after RCPT command" / "for TEXT command" / "after RCPT TO:<...>".
func eximCommand(d string) string {
	if c := findCommand(d); c != "" {
		return c
	}
	l := strings.ToLower(d)
	switch {
	case strings.Contains(l, "for text command"), strings.Contains(l, "after end of data"):
		return "DATA"
	case strings.Contains(l, "for rcpt command"), strings.Contains(l, "after rcpt command"):
		return "RCPT"
	case strings.Contains(l, "for mail command"), strings.Contains(l, "after mail command"):
		return "MAIL"
	}
	return ""
}

// loneAddress returns the address when t holds nothing but one address,
// perhaps quoted, in angle brackets or followed by a colon.
func loneAddress(t string) string {
	t = strings.TrimSuffix(t, ":")
	t = strings.Trim(t, `"<> `)
	if t == "" || strings.ContainsAny(t, " \t<>\"") || strings.Count(t, "@") != 1 {
		return ""
	}
	if a := findAddress(t); a == t {
		return a
	}
	return ""
}
